/**
 * Stable reason codes, one per leaf of the decision tree. The message carries Patroni's
 * wording for people; the code is what tests, metrics and the simulation branch on.
 */
export const REASONS = [
  // DCS unreachable (§1.14)
  'dcs-unavailable',
  'failsafe-continue-as-leader',
  'dcs-unavailable-demote',
  // an async task is running (§1.2)
  'task-lock-updated',
  'task-crash-recovery-timeout',
  'task-lost-before-promote',
  'task-lost-lock',
  'task-in-progress',
  // Postgres starting (§1.3)
  'starting-lost-lock',
  'starting-timeout-demote',
  'starting-timeout-no-failover',
  'starting-waiting',
  // bootstrap (§1.4, §1.6)
  'bootstrap-cancelled',
  'bootstrap-waiting-recovery',
  'bootstrap-post',
  'bootstrap-initialized',
  'bootstrap-race-won',
  'bootstrap-race-lost',
  'bootstrap-clone-leader',
  'bootstrap-clone-replica',
  'bootstrap-clone-no-leader',
  'bootstrap-waiting-leader',
  // data directory and membership (§1.5, §1.6)
  'recover-failed-with-lock',
  'recover-failed',
  'data-dir-gone-released-lock',
  'data-dir-not-accessible',
  'data-dir-empty-paused',
  'sysid-invalid',
  'sysid-mismatch-released-lock',
  'sysid-mismatch',
  'takeover-replica-without-initialize',
  // Postgres not running (§1.7)
  'paused-removed-lock-not-running',
  'paused-not-running',
  'crash-failover',
  'crash-restart-primary',
  'crash-recovery',
  'start-readonly-with-lock',
  'start-secondary',
  'rewind',
  'rewind-waiting-checkpoint',
  'rewind-failed-not-starting',
  'reinitialize',
  // leader race (§1.8)
  'race-acquired-as-primary',
  'race-acquired-promote',
  'race-lost-demote',
  'race-lost-follow',
  'race-not-healthiest-demote',
  'race-not-healthiest-follow',
  'race-nofailover-demote',
  'race-nofailover-follow',
  'race-dcs-unavailable',
  // lock holder (§1.10, §1.11)
  'pre-promote-failed',
  'sync-promotion-postponed',
  'standby-cluster-not-supported',
  'leader-no-action',
  'leader-promote',
  'watchdog-activation-failed-demote',
  'watchdog-activation-failed-release',
  'paused-waiting-promote',
  'paused-removed-lock-not-primary',
  'lock-lost-paused-primary',
  'lock-lost-demote',
  'lock-lost-not-promoting',
  'switchover-demote',
  // following (§1.11, §1.12)
  'follower-demote',
  'follower-following',
  'paused-primary-without-lock',
  'paused-no-action',
  'rewind-leave-as-is',
] as const;

export type ReasonCode = (typeof REASONS)[number];
