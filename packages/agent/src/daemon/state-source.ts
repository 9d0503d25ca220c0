/**
 * The REST API's NodeStateSource: core's NodeState assembled from the loop's last
 * status, the controller's own state, the last monitoring answer and the last DCS
 * snapshot. Pure reads of memory: health checks never touch Postgres or the DCS.
 */
import {
  postgresStatusFromObservation,
  publishedTags,
  systemClock,
  type DynamicSettings,
  type FenceState,
  type HaLoop,
  type JsonObject,
  type NodeFenceState,
  type NodeState,
  type PostgresObservation,
  type ScheduledRestart,
  type TagValue,
} from '@pgwarden/core';
import type { NodeStateSource } from '../api/types.js';
import type { ObservedController } from './observed-controller.js';
import type { RecordingDcs } from './recording-dcs.js';

export interface StateInputs {
  readonly name: string;
  readonly scope: string;
  readonly version: string;
  /** pgwarden's own release (`pgwarden_version`). */
  readonly pgwardenVersion?: string;
  readonly loop: HaLoop;
  readonly controller: ObservedController;
  readonly dcs: RecordingDcs;
  /** The dynamic config in force. */
  readonly dynamic: () => DynamicSettings;
  readonly tags: Readonly<Record<string, TagValue>>;
  /** The fence's state (deadline on the monotonic system clock), or null while the fence is off. */
  readonly fence?: () => FenceState | null;
  /** The restart scheduled through `POST /restart`, if any (`scheduled_restart` in `/patroni`). */
  readonly scheduledRestart?: () => ScheduledRestart | null;
  /** `watchdog.mode: required` and the device is unusable (Patroni's `watchdog_failed`). */
  readonly watchdogFailed?: () => boolean;
}

/** Patroni's _filter_tags, shared with the member key: every configured tag but false built-in booleans. */
export function filterTags(raw: Readonly<Record<string, unknown>>): Record<string, TagValue> {
  return publishedTags(raw) as Record<string, TagValue>;
}

/** The fence as the API reports it: the monotonic deadline becomes epoch seconds at read time. */
export function nodeFenceState(fence: FenceState | null): NodeFenceState | null {
  if (!fence?.enabled) return null;
  const deadline = fence.armed && fence.deadline !== null ? (Date.now() + (fence.deadline - systemClock.now())) / 1000 : null;
  return { armed: fence.armed, deadline, fencedCount: fence.fencedCount };
}

/** Postgres states in which Patroni runs the status query (others answer with state and role only). */
const QUERIED_STATES = new Set(['running', 'starting', 'restarting']);

/**
 * The live query's own deadline, longer than the API's 2 s wait on purpose: a Postgres
 * that hangs is answered from the loop's state when the wait ends, while one that refuses
 * (a fast failure) is reported `unknown`, as Patroni does.
 */
const LIVE_QUERY_TIMEOUT_MS = 3000;

/**
 * The observation to show: the loop's last one by default; `live` replaces it with a
 * fresh answer, or with `failed` when the live query failed (Patroni then reports
 * `state: unknown` for a running Postgres and no `xlog`).
 */
type ObservationSource = { readonly kind: 'loop' } | { readonly kind: 'live'; readonly observation: PostgresObservation } | { readonly kind: 'failed' };

export function buildNodeState(inputs: StateInputs, source: ObservationSource = { kind: 'loop' }): NodeState {
  const { loop, controller, dcs } = inputs;
  const status = loop.getStatus();
  const pg = controller.status();
  const cluster = dcs.lastCluster;
  const dynamic = inputs.dynamic();
  const obs = source.kind === 'live' ? source.observation : source.kind === 'failed' ? null : controller.lastObservation;
  const running = pg.postmasterPid !== null && pg.state !== 'stopped' && pg.state !== 'crashed';
  const shown = obs && QUERIED_STATES.has(pg.state);
  return {
    name: inputs.name,
    scope: inputs.scope,
    version: inputs.version,
    ...(inputs.pgwardenVersion ? { pgwardenVersion: inputs.pgwardenVersion } : {}),
    state: source.kind === 'failed' && pg.state === 'running' ? 'unknown' : pg.state,
    // A standby cluster's lock holder shows its internal role, standby_leader (as Patroni does).
    role: obs && pg.state === 'running' ? (!obs.inRecovery ? 'primary' : pg.role === 'standby_leader' ? 'standby_leader' : 'replica') : pg.role,
    postmasterRunning: running,
    postgres: shown
      ? postgresStatusFromObservation(obs, {
          syncStandby: dynamic.synchronousMode && !dynamic.quorumCommit && obs.inRecovery && (cluster?.sync.syncStandbys.includes(inputs.name) ?? false),
          quorumStandby: dynamic.quorumCommit && obs.inRecovery && (cluster?.sync.syncStandbys.includes(inputs.name) ?? false),
        })
      : null,
    clusterKnown: cluster !== null,
    clusterUnlocked: !cluster?.leader,
    leaderName: cluster?.leader?.name ?? null,
    leaderLsn: cluster?.status.lastLsn ?? 0,
    lockExpiresAt: status.lockValidUntil,
    standbyCluster: dynamic.standbyCluster !== null,
    ...(dynamic.quorumCommit ? { quorumCommit: true } : {}),
    paused: dynamic.pause,
    failsafeActive: status.failsafeActive,
    dcsLastSeen: dcs.lastSeen,
    tags: inputs.tags,
    dynamicNosync: false,
    systemIdentifier: controller.systemIdentifier,
    pendingRestartReason: pg.pendingRestartReason,
    scheduledRestart: inputs.scheduledRestart?.() ?? null,
    watchdogFailed: inputs.watchdogFailed?.() ?? false,
    loggerQueueSize: 0,
    loggerRecordsLost: 0,
    nextLoopAt: (dcs.lastCycleAt || systemClock.now()) + dynamic.timing.loopWait * 1000,
    ttl: dynamic.timing.ttl,
    fence: nodeFenceState(inputs.fence?.() ?? null),
    haLoopErrors: status.cycleErrors,
  };
}

/**
 * The state with the monitoring query run now (GET /patroni). Postgres not running: the
 * loop's state, as Patroni does not query then. The query failed: Patroni's answer —
 * `unknown` and no `xlog`, which peers in a leader race read as "unreachable" rather than
 * trusting a position from before the failure.
 */
export async function liveNodeState(inputs: StateInputs): Promise<NodeState> {
  if (!QUERIED_STATES.has(inputs.controller.status().state)) return buildNodeState(inputs);
  const r = await inputs.controller.observeLive({ timeoutMs: LIVE_QUERY_TIMEOUT_MS });
  return r.ok && r.value ? buildNodeState(inputs, { kind: 'live', observation: r.value }) : buildNodeState(inputs, { kind: 'failed' });
}

/**
 * How long a health check may be answered from an earlier build of the state when none
 * of the inputs it is keyed on changed: what the key leaves out (the fence's deadline,
 * tags a reload changed in place, `dcs_last_seen` within a second) is at most this old.
 */
export const SNAPSHOT_MAX_AGE_MS = 250;

/**
 * Everything a health answer turns on, read from memory: the loop's cycle and lock, the
 * controller's state and role, the last monitoring answer and DCS snapshot (by identity:
 * each read replaces them), the dynamic config, a scheduled restart, the watchdog.
 */
function snapshotKey(inputs: StateInputs, into: unknown[]): void {
  const status = inputs.loop.getStatus();
  into[0] = status.cycle;
  into[1] = status.state;
  into[2] = status.role;
  into[3] = status.lockValidUntil;
  into[4] = status.failsafeActive;
  into[5] = status.cycleErrors;
  into[6] = inputs.controller.status().postmasterPid;
  into[7] = inputs.controller.lastObservation;
  into[8] = inputs.controller.systemIdentifier;
  into[9] = inputs.dcs.lastCluster;
  into[10] = inputs.dcs.lastSeen;
  into[11] = inputs.dcs.lastCycleAt;
  into[12] = inputs.dynamic();
  // A fresh object on each call while a restart is scheduled: compared by content.
  const restart = inputs.scheduledRestart?.() ?? null;
  into[13] = restart && JSON.stringify(restart);
  into[14] = inputs.watchdogFailed?.() ?? false;
}

/**
 * The state health checks are answered from: built once and reused while its key holds
 * (for at most SNAPSHOT_MAX_AGE_MS), so a burst of checks costs a few memory reads each
 * rather than a rebuild with the fence's files read every time. Any change a check could
 * tell apart — Postgres stopping, a demotion, a new cycle or snapshot — changes the key
 * and the next check rebuilds.
 */
export function snapshotState(inputs: StateInputs, now: () => number = () => systemClock.now()): () => NodeState {
  let cached: { state: NodeState; key: unknown[]; at: number } | null = null;
  const key: unknown[] = [];
  return () => {
    snapshotKey(inputs, key);
    const t = now();
    if (cached && t - cached.at < SNAPSHOT_MAX_AGE_MS && cached.key.every((v, i) => v === key[i])) return cached.state;
    cached = { state: buildNodeState(inputs), key: [...key], at: t };
    return cached.state;
  };
}

/**
 * `config()` is the document in force (the last valid `/config` the tracker accepted),
 * not the raw DCS value: `/failsafe` and the switchover wait read it, and must agree
 * with the engine when someone stored a document the agents refuse (`{"pause": true,
 * "ttl": "bad"}` is not a paused cluster). `GET /config` reads the raw snapshot itself.
 */
export function nodeStateSource(inputs: StateInputs): NodeStateSource {
  return {
    current: snapshotState(inputs),
    live: () => liveNodeState(inputs),
    cluster: () => inputs.dcs.lastCluster,
    config: () => (inputs.dcs.lastCluster?.config ? (inputs.dynamic().document as JsonObject) : null),
  };
}
