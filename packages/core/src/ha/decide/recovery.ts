/**
 * Postgres starting, failing to start, or down (§1.3, §1.5, §1.7). A node holding the
 * lock never starts writable after a crash without proof it was the primary a moment
 * ago; otherwise it starts read-only first and promotes on the next cycle.
 */
import { decision, type Action, type Decision } from '../actions.js';
import type { Ctx } from './context.js';
import { nodeToFollow } from './context.js';
import { isStandbyCluster, remoteSource } from './standby-cluster.js';
import { manualFailoverAtLeader } from './failover.js';
import { demoteActions, triggerRewindCheck } from './demotion.js';
import { rewindOrReinitialize } from './follower.js';
import { isFailoverPossible } from './health.js';
import { refreshThen } from './leader.js';

/** §1.3: the lock holder's Postgres is still starting. Replicas fall through (null). */
export function decideStarting(ctx: Ctx): Decision | null {
  if (ctx.local.status.state !== 'starting' || ctx.paused || !ctx.ownsLock) return null;
  const d = refreshThen(
    ctx,
    () => {
      const timeLeft = ctx.config.primaryStartTimeout - (ctx.now - ctx.local.stateSince) / 1000;
      if (timeLeft <= 0) {
        if (isFailoverPossible(ctx).ok) {
          return decision('starting-timeout-demote', 'stopped PostgreSQL because of startup timeout', demoteActions(ctx, 'immediate'));
        }
        return decision('starting-timeout-no-failover', 'primary start has timed out, but continuing to wait because failover is not possible');
      }
      const manual = manualFailoverAtLeader(ctx);
      if (manual.decision) return manual.decision;
      return decision('starting-waiting', `PostgreSQL is still starting up, ${Math.round(timeLeft)} seconds until timeout`, manual.actions);
    },
    { status: false },
  );
  const gate = d.actions[0]!;
  if (gate.type !== 'refreshLeader') return d;
  const lost = decision('starting-lost-lock', 'stopped PostgreSQL while starting up because leader key was lost', demoteActions(ctx, 'immediate-nolock'));
  return { ...d, actions: [{ ...gate, onLost: lost }] };
}

/** §1.5: an async start was launched last time; did Postgres come up? */
export function decideAfterStart(ctx: Ctx): { decision: Decision | null; actions: Action[] } {
  const actions: Action[] = [{ type: 'remember', patch: { recovering: false } }];
  if (ctx.memory.rewind !== 'need' && !ctx.local.running) {
    if (ctx.ownsLock) {
      return {
        decision: decision('recover-failed-with-lock', 'removed leader key after trying and failing to start postgres', [
          ...actions,
          { type: 'releaseLeader' },
        ]),
        actions: [],
      };
    }
    return { decision: decision('recover-failed', 'failed to start postgres', actions), actions: [] };
  }
  // Postgres came up: forget the crash-recovery timer and a rewind that has done its job.
  const patch: Partial<Ctx['memory']> =
    ctx.memory.rewind === 'success' ? { crashRecoveryStartedAt: null, rewind: 'initial' } : { crashRecoveryStartedAt: null };
  return { decision: null, actions: [...actions, { type: 'remember', patch }] };
}

/** §1.7 in pause: Postgres is down and stays down. */
export function decideDownInPause(ctx: Ctx): Decision | null {
  if (!ctx.paused) return null;
  if (ctx.ownsLock) {
    return decision('paused-removed-lock-not-running', 'removed leader lock because postgres is not running', [{ type: 'releaseLeader' }]);
  }
  // The one exception: an ex-primary stopped for a rewind that succeeded (or is still needed) is started.
  const rewindPending = ctx.memory.rewind === 'success' || (ctx.memory.rewind === 'need' && ctx.config.usePgRewind);
  return rewindPending ? null : decision('paused-not-running', 'postgres is not running');
}

const UNCLEAN = new Set(['in production', 'shutting down', 'in crash recovery']);
const PRIMARY_RESTARTABLE = new Set(['in production', 'in crash recovery', 'shutting down', 'shut down']);

/** §1.7: Postgres is not running (outside pause, or a rewound ex-primary in pause). */
export function decideRecover(ctx: Ctx): Decision {
  if (ctx.ownsLock) {
    return refreshThen(ctx, () => recoverWithLock(ctx), { status: false });
  }
  return recoverWithoutLock(ctx);
}

function recoverWithLock(ctx: Ctx): Decision {
  const timeout = ctx.config.primaryStartTimeout;
  if (timeout === 0 && isFailoverPossible(ctx).ok) {
    // primary_start_timeout = 0: prefer failing over to restarting the primary.
    return decision('crash-failover', 'stopped PostgreSQL to fail over after a crash', demoteActions(ctx, 'immediate'));
  }
  const control = ctx.local.controlData;
  const wasPrimary = ctx.role === 'primary' || ctx.role === 'promoted';
  if (timeout > 0 && control && PRIMARY_RESTARTABLE.has(control.clusterState) && wasPrimary && crashed(ctx)) {
    // We know we were the primary a moment ago and still hold the lock: restart in place.
    return decision('crash-restart-primary', 'starting primary after failure', [
      { type: 'remember', patch: { recovering: true } },
      { type: 'startPostgres', role: 'primary', upstream: null, task: 'starting primary after failure' },
    ]);
  }
  const recovery = crashRecovery(ctx);
  if (recovery) return recovery;
  const standby = ctx.config.standbyCluster;
  if (standby) {
    return decision('standby-leader-starting', 'starting as a standby leader because i had the session lock', [
      { type: 'remember', patch: { recovering: true } },
      { type: 'startPostgres', role: 'standby_leader', upstream: remoteSource(standby), task: 'restarting after failure' },
    ]);
  }
  return decision('start-readonly-with-lock', 'starting as readonly because i had the session lock', [
    { type: 'remember', patch: { recovering: true, rewind: 'initial', checkpointAfterPromote: 'needed' } },
    { type: 'startPostgres', role: 'replica', upstream: null, task: 'restarting after failure' },
  ]);
}

function recoverWithoutLock(ctx: Ctx): Decision {
  const recovery = crashRecovery(ctx);
  if (recovery) return recovery;
  const start = (): Decision => {
    const actions: Action[] = [{ type: 'remember', patch: { recovering: true } }];
    if (ctx.syncMode) actions.push({ type: 'setSyncStandbyNames', value: null });
    actions.push({ type: 'startPostgres', role: 'replica', upstream: nodeToFollow(ctx), task: 'restarting after failure' });
    if (ctx.unlocked && isStandbyCluster(ctx)) {
      return decision('standby-follow-remote-unhealthy', 'trying to follow a remote member because standby cluster is unhealthy', actions);
    }
    return decision('start-secondary', 'starting as a secondary', actions);
  };
  if (ctx.memory.rewind === 'failed') return afterFailedRewind(ctx, start);
  // A rewind that succeeded is not checked again.
  const rewindCheck = ctx.memory.rewind === 'success' ? ctx.memory.rewind : triggerRewindCheck(ctx);
  const withCheck = { ...ctx, memory: { ...ctx.memory, rewind: rewindCheck } };
  const rewind = rewindOrReinitialize(withCheck, start);
  return rewind ?? start();
}

/**
 * pgwarden differs from Patroni here: Patroni starts the node as a replica after a failed
 * pg_rewind. Its data directory then still holds WAL the leader never had: it replays
 * that on the wrong timeline, cannot stream, yet looks like a healthy read replica (and a
 * failover candidate). So it stays stopped; each cycle checks again, and rewinds again
 * while the divergence remains (or re-clones where allowed). It starts only once the check
 * says it is in line with the leader (or no leader is left to compare with).
 * `pgwardenctl reinit` replaces it from the leader.
 */
function afterFailedRewind(ctx: Ctx, start: () => Decision): Decision {
  const stayDown = (): Decision =>
    decision('rewind-failed-not-starting', 'not starting a data directory diverged from the leader after pg_rewind failed');
  // With no primary leader to compare with there is no new timeline to follow: start as before.
  return rewindOrReinitialize({ ...ctx, memory: { ...ctx.memory, rewind: 'check' } }, start, stayDown) ?? start();
}

function crashed(ctx: Ctx): boolean {
  const state = ctx.local.status.state;
  return state === 'crashed' || state === 'running' || state === 'starting';
}

/** Single-user crash recovery, once, when the control file shows an unclean shutdown. */
function crashRecovery(ctx: Ctx): Decision | null {
  const control = ctx.local.controlData;
  if (!control || !UNCLEAN.has(control.clusterState) || ctx.memory.crashRecoveryStartedAt !== null) return null;
  const canRewind = ctx.config.usePgRewind && (control.walLogHints || control.dataChecksums);
  if (!ctx.unlocked && !canRewind) return null;
  return decision('crash-recovery', 'doing crash recovery in a single user mode', [
    { type: 'remember', patch: { crashRecoveryStartedAt: ctx.now } },
    { type: 'crashRecovery' },
  ]);
}
