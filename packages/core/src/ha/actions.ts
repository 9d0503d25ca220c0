/**
 * The decision vocabulary: typed actions, gates and the Decision tree decide() returns.
 *
 * A Decision is a list of actions plus the reason and message that describe it. Some
 * outcomes can only be known by acting (did we win the lock? did the CAS hold?), so a
 * few actions are **gates**: they carry one Decision per outcome, and the executor
 * continues with the branch the outcome selects. A gate is always the last action of
 * its list, so every path through the tree is a flat sequence ending in a leaf whose
 * reason and message describe the cycle.
 */
import type { HistoryLine, JsonObject } from '../dcs/cluster.js';
import type { DynamicConfigFiles, PostgresParameters } from '../postgres/controller.js';
import type { DesiredSlot, IgnoreSlotRule, LogicalSlotSpec } from '../postgres/slots.js';
import type { UpstreamNode } from '../postgres/upstream.js';
import type { RewindSource } from '../postgres/rewind.js';
import type { ReasonCode } from './reasons.js';
import type { HaMemory } from './view.js';

export type DemoteMode = 'offline' | 'graceful' | 'immediate' | 'immediate-nolock' | 'demote-cluster';

export interface Decision {
  readonly actions: readonly Action[];
  readonly reason: ReasonCode;
  /** Patroni's wording, without the `PAUSE: ` prefix (added at the top). */
  readonly message: string;
  /** The DCS could not be reached on this path: no member touch afterwards (Patroni's finally). */
  readonly dcsFailed?: boolean;
}

// ---- gates ---------------------------------------------------------------------------

/** Atomic create-if-absent of the leader key. */
export interface AcquireLeader {
  readonly type: 'acquireLeader';
  readonly onHeld: Decision;
  readonly onLost: Decision;
  readonly onUnavailable: Decision;
}

/** CAS renewal of our lock; on `held` the leader also writes /status (and /failsafe). */
export interface RefreshLeader {
  readonly type: 'refreshLeader';
  readonly onHeld: Decision;
  readonly onLost: Decision;
  readonly onUnavailable: Decision;
}

/** The bootstrap race: create `initialize` = "" only if absent. */
export interface ClaimInitialize {
  readonly type: 'claimInitialize';
  readonly onWon: Decision;
  readonly onLost: Decision;
}

/** CAS write of /sync (`version` null = create). */
export interface WriteSync {
  readonly type: 'writeSync';
  readonly leader: string;
  readonly standbys: readonly string[];
  readonly version: string | null;
  /** Use the version returned by this cycle's previous /sync write, if there was one. */
  readonly chain: boolean;
  /** Quorum commit: the `quorum` field Patroni 4 writes (absent outside quorum mode). */
  readonly quorum?: number;
  readonly onWritten: Decision;
  readonly onConflict: Decision;
}

/** Is our history diverged from the leader's (pg_rewind needed)? */
export interface CheckDivergence {
  readonly type: 'checkDivergence';
  readonly leader: RewindSource;
  readonly onNeeded: Decision;
  readonly onNotNeeded: Decision;
  /** The check could not be made (leader unreachable): carry on, and check again next cycle. */
  readonly onUnknown: Decision;
}

/** POST /failsafe to every other member of the last-seen /failsafe; all must accept. */
export interface FailsafeCheck {
  readonly type: 'failsafeCheck';
  /** name → api_url of the members to ask (never ourselves). */
  readonly members: Readonly<Record<string, string>>;
  readonly onAccepted: Decision;
  readonly onRejected: Decision;
}

/**
 * Activate the lease guard (open the watchdog device) before promotion or after bootstrap
 * (spec/ha.md §3.11); `failed` only when `watchdog.mode: required` and no safe device
 * could be set up.
 */
export interface ActivateWatchdog {
  readonly type: 'activateWatchdog';
  readonly onActivated: Decision;
  readonly onFailed: Decision;
}

/**
 * Set synchronous_standby_names and learn whether Postgres took it. Quorum commit's next
 * /sync write is only safe once the new value is in force, so it waits on this outcome.
 */
export interface ApplySyncStandbyNames {
  readonly type: 'applySyncStandbyNames';
  readonly value: string | null;
  readonly onApplied: Decision;
  readonly onFailed: Decision;
}

export type Gate =
  | AcquireLeader
  | RefreshLeader
  | ClaimInitialize
  | WriteSync
  | CheckDivergence
  | FailsafeCheck
  | ActivateWatchdog
  | ApplySyncStandbyNames;

// ---- plain actions -----------------------------------------------------------------

/** Long actions run as the single async task; `task` is the name shown while they run. */
export type AsyncAction =
  /** `standbyLeader`: a standby cluster's first node clones from this remote source instead of initdb. */
  | { readonly type: 'bootstrap'; readonly standbyLeader?: UpstreamNode }
  | { readonly type: 'postBootstrap' }
  | { readonly type: 'clone'; readonly source: UpstreamNode | null; readonly task: string }
  | { readonly type: 'reinitialize'; readonly source: UpstreamNode | null; readonly task: string }
  | { readonly type: 'promote' }
  | {
      readonly type: 'startPostgres';
      readonly role: 'primary' | 'replica' | 'standby_leader';
      readonly upstream: UpstreamNode | null;
      readonly task: string;
    }
  /** stop (fast) and start again in `role`; `timeoutMs` bounds the whole restart. */
  | { readonly type: 'restart'; readonly task: string; readonly role: 'primary' | 'replica'; readonly timeoutMs: number | null }
  | { readonly type: 'rewind'; readonly leader: RewindSource; readonly task: string }
  | { readonly type: 'crashRecovery' }
  /** graceful demotion runs as a task named `<action>: demote`. */
  | { readonly type: 'demote'; readonly mode: 'graceful'; readonly task: string }
  /** A replica copies logical slots from the leader: stop, write their state files, start. */
  | { readonly type: 'copyLogicalSlots'; readonly leader: UpstreamNode; readonly slots: readonly LogicalSlotSpec[]; readonly task: string };

export type Action =
  | Gate
  | AsyncAction
  | { readonly type: 'touchMember' }
  | { readonly type: 'initialize'; readonly createNew: boolean; readonly sysid: string }
  | { readonly type: 'cancelInitialization' }
  | { readonly type: 'writeConfig'; readonly data: JsonObject }
  | { readonly type: 'releaseLeader'; readonly lastLsn?: number }
  | { readonly type: 'takeLeader' }
  /** Synchronous demotions (the graceful one is an AsyncAction). */
  | { readonly type: 'demote'; readonly mode: 'offline' | 'immediate' | 'immediate-nolock' }
  /**
   * A primary of a cluster that became a standby cluster (Patroni's demote-cluster): a
   * fast stop without checkpoint, the lock kept, then it follows `upstream` as `role`.
   */
  | { readonly type: 'demote'; readonly mode: 'demote-cluster'; readonly upstream: UpstreamNode | null; readonly role: 'replica' | 'standby_leader' }
  /** Point the running (or stopped) Postgres at an upstream; a change that needs a restart runs as a task. */
  | { readonly type: 'follow'; readonly upstream: UpstreamNode | null; readonly role: 'replica' | 'standby_leader' }
  | { readonly type: 'stopPostgres'; readonly mode: 'fast' | 'immediate' }
  | { readonly type: 'setSyncStandbyNames'; readonly value: string | null }
  | { readonly type: 'deleteSync'; readonly version: string | null }
  /** Writes `{}` with CAS on `version` (none right after acquiring the lock). */
  | { readonly type: 'clearFailover'; readonly version?: string }
  | { readonly type: 'writeFailover'; readonly candidate: string; readonly scheduledAt: string | null; readonly version: string }
  /** Rebuild /history for our timeline from the timeline history file. */
  | { readonly type: 'writeHistory'; readonly timeline: number; readonly current: readonly HistoryLine[] }
  | {
      readonly type: 'writeStatus';
      readonly lastLsn: number;
      readonly slots: Readonly<Record<string, number>> | null;
      /** Patroni 4's `retain_slots` (member_slots_ttl); absent or empty: not written. */
      readonly retainSlots?: readonly string[];
    }
  | { readonly type: 'writeFailsafe'; readonly members: Readonly<Record<string, string>> }
  | {
      readonly type: 'syncSlots';
      readonly desired: readonly DesiredSlot[];
      readonly ignore: readonly IgnoreSlotRule[];
      readonly dropUndesired: boolean;
      /** See SlotPassRequest: force hot_standby_feedback (absent: leave it). */
      readonly hotStandbyFeedback?: boolean;
      readonly readiness?: { readonly leader: UpstreamNode; readonly slotOnPrimary: string };
    }
  /**
   * Arm (or move) the lease guard to the lock's validUntil as this cycle left it. Follows
   * every outcome that gives us the lock for a while, and comes before `promote`.
   */
  | { readonly type: 'armLeaseGuard' }
  /** End of every cycle: disarm the guard when leaseGuardSettlement says nothing is left to guard. */
  | { readonly type: 'settleLeaseGuard'; readonly paused: boolean }
  /**
   * Hand `/config`'s `postgresql.parameters`, pg_hba, pg_ident and recovery_conf to
   * Postgres (config files rewritten, reload, pending_restart reported; patroni.yml's
   * pg_hba/pg_ident/recovery_conf win where set); the live synchronous_standby_names
   * stays, as the sync logic owns it.
   */
  | {
      readonly type: 'applyParameters';
      readonly parameters: PostgresParameters;
      readonly liveSyncStandbyNames: string | null;
      readonly files: DynamicConfigFiles;
    }
  /** The post-promote CHECKPOINT, in the background. */
  | { readonly type: 'checkpoint' }
  | { readonly type: 'cancelTask' }
  /**
   * Give others time (Patroni's 2 s sleeps, waiting for a scheduled switchover). With
   * `untilLeaderTaken`, the sleep ends as soon as the DCS watch reports the leader key
   * taken (only while this node does not hold it).
   */
  | { readonly type: 'sleep'; readonly ms: number; readonly untilLeaderTaken?: boolean }
  | { readonly type: 'remember'; readonly patch: Partial<HaMemory> }
  /** Run the next cycle at once. */
  | { readonly type: 'wake' }
  /** Run a cycle at this wall-clock time (a scheduled restart due before the next loop_wait). */
  | { readonly type: 'wakeAt'; readonly epochMs: number }
  /** A line in the agent's log that belongs to the decision (not the cycle's summary). */
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string }
  /** Stop the agent: the data directory belongs to another cluster, or bootstrap failed. */
  | { readonly type: 'fatal'; readonly message: string };

export type ActionType = Action['type'];

// ---- building and walking decisions -------------------------------------------------

export function decision(reason: ReasonCode, message: string, actions: readonly Action[] = []): Decision {
  return { reason, message, actions };
}

/**
 * Each gate's outcomes, by the name the executor reports (`state.path`) and the field that
 * holds the branch. The one table the tree helpers below (and the simulation's rewrites)
 * read: a new gate is one row here, not a case in every switch.
 */
export const GATE_OUTCOMES: { readonly [T in Gate['type']]: Readonly<Record<string, keyof Extract<Gate, { type: T }>>> } = {
  acquireLeader: { held: 'onHeld', lost: 'onLost', unavailable: 'onUnavailable' },
  refreshLeader: { held: 'onHeld', lost: 'onLost', unavailable: 'onUnavailable' },
  claimInitialize: { won: 'onWon', lost: 'onLost' },
  writeSync: { written: 'onWritten', conflict: 'onConflict' },
  checkDivergence: { needed: 'onNeeded', notNeeded: 'onNotNeeded', unknown: 'onUnknown' },
  failsafeCheck: { accepted: 'onAccepted', rejected: 'onRejected' },
  activateWatchdog: { activated: 'onActivated', failed: 'onFailed' },
  applySyncStandbyNames: { applied: 'onApplied', failed: 'onFailed' },
};

export function isGate(action: Action): action is Gate {
  return Object.hasOwn(GATE_OUTCOMES, action.type);
}

/** The gate ending `d.actions`, if any. */
export function gateOf(d: Decision): Gate | undefined {
  const last = d.actions[d.actions.length - 1];
  return last && isGate(last) ? last : undefined;
}

function outcomes(gate: Gate): Readonly<Record<string, string>> {
  return GATE_OUTCOMES[gate.type] as Readonly<Record<string, string>>;
}

/** The branches of a gate, named by outcome. */
export function branches(gate: Gate): Record<string, Decision> {
  const out: Record<string, Decision> = {};
  for (const [outcome, field] of Object.entries(outcomes(gate))) out[outcome] = (gate as unknown as Record<string, Decision>)[field]!;
  return out;
}

/** The same gate with `map` applied to each of its branches. */
export function mapBranches(gate: Gate, map: (d: Decision) => Decision): Gate {
  const out: Record<string, unknown> = { ...gate };
  for (const field of Object.values(outcomes(gate))) out[field] = map((gate as unknown as Record<string, Decision>)[field]!);
  return out as unknown as Gate;
}

/** Rewrites every leaf (a decision that does not end in a gate). */
export function mapLeaves(d: Decision, map: (leaf: Decision) => Decision): Decision {
  const gate = gateOf(d);
  if (!gate) return map(d);
  // slice/push and concat rather than spreads: decide runs every cycle, and a spread walks an iterator.
  const actions: Action[] = d.actions.slice(0, -1);
  actions.push(mapBranches(gate, (b) => mapLeaves(b, map)));
  return { ...d, actions };
}

/** Puts `actions` in front of `d`. */
export function prepend(actions: readonly Action[], d: Decision): Decision {
  return actions.length ? { ...d, actions: actions.concat(d.actions) } : d;
}

/** Appends actions to every leaf (`make` may look at the leaf, e.g. to skip DCS-failed ones). */
export function appendToLeaves(d: Decision, make: (leaf: Decision) => readonly Action[]): Decision {
  return mapLeaves(d, (leaf) => {
    const extra = make(leaf);
    return extra.length ? { ...leaf, actions: leaf.actions.concat(extra) } : leaf;
  });
}

/** Walks the tree choosing `path` branches in turn; returns the flat actions and the leaf. */
export function walk(d: Decision, path: readonly string[] = []): { actions: Action[]; leaf: Decision } {
  const actions: Action[] = [];
  let current = d;
  let i = 0;
  for (;;) {
    const gate = gateOf(current);
    actions.push(...current.actions);
    if (!gate) return { actions, leaf: current };
    const step = path[i++];
    const next = step === undefined ? undefined : branches(gate)[step];
    if (!next) return { actions, leaf: current };
    current = next;
  }
}
