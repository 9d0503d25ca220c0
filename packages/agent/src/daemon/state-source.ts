/**
 * The REST API's NodeStateSource: core's NodeState assembled from the loop's last
 * status, the controller's own state, the last monitoring answer and the last DCS
 * snapshot. Pure reads of memory: health checks never touch Postgres or the DCS.
 */
import {
  postgresStatusFromObservation,
  systemClock,
  type DynamicSettings,
  type FenceState,
  type HaLoop,
  type JsonObject,
  type NodeFenceState,
  type NodeState,
  type TagValue,
} from '@pgwarden/core';
import type { NodeStateSource } from '../api/types.js';
import type { ObservedController } from './observed-controller.js';
import type { RecordingDcs } from './recording-dcs.js';

export interface StateInputs {
  readonly name: string;
  readonly scope: string;
  readonly version: string;
  readonly loop: HaLoop;
  readonly controller: ObservedController;
  readonly dcs: RecordingDcs;
  /** The dynamic config in force. */
  readonly dynamic: () => DynamicSettings;
  readonly tags: Readonly<Record<string, TagValue>>;
  /** The fence's state (deadline on the monotonic system clock), or null while the fence is off. */
  readonly fence?: () => FenceState | null;
}

const BUILTIN_BOOLEAN_TAGS = ['clonefrom', 'nofailover', 'noloadbalance', 'nosync', 'nostream'];

/** Patroni's _filter_tags: built-in boolean tags are shown only when set. */
export function filterTags(raw: Readonly<Record<string, unknown>>): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const [tag, value] of Object.entries(raw)) {
    if (BUILTIN_BOOLEAN_TAGS.includes(tag) && !value) continue;
    out[tag] = value as TagValue;
  }
  return out;
}

/** The fence as the API reports it: the monotonic deadline becomes epoch seconds at read time. */
export function nodeFenceState(fence: FenceState | null): NodeFenceState | null {
  if (!fence?.enabled) return null;
  const deadline = fence.armed && fence.deadline !== null ? (Date.now() + (fence.deadline - systemClock.now())) / 1000 : null;
  return { armed: fence.armed, deadline, fencedCount: fence.fencedCount };
}

export function buildNodeState(inputs: StateInputs): NodeState {
  const { loop, controller, dcs } = inputs;
  const status = loop.getStatus();
  const pg = controller.status();
  const cluster = dcs.lastCluster;
  const dynamic = inputs.dynamic();
  const obs = controller.lastObservation;
  const running = pg.postmasterPid !== null && pg.state !== 'stopped' && pg.state !== 'crashed';
  const shown = obs && (pg.state === 'running' || pg.state === 'starting' || pg.state === 'restarting');
  return {
    name: inputs.name,
    scope: inputs.scope,
    version: inputs.version,
    state: pg.state,
    role: obs && pg.state === 'running' ? (obs.inRecovery ? 'replica' : 'primary') : pg.role,
    postmasterRunning: running,
    postgres: shown
      ? postgresStatusFromObservation(obs, {
          syncStandby: dynamic.synchronousMode && obs.inRecovery && (cluster?.sync.syncStandbys.includes(inputs.name) ?? false),
        })
      : null,
    clusterKnown: cluster !== null,
    clusterUnlocked: !cluster?.leader,
    leaderName: cluster?.leader?.name ?? null,
    leaderLsn: cluster?.status.lastLsn ?? 0,
    lockExpiresAt: status.lockValidUntil,
    standbyCluster: dynamic.standbyCluster !== null,
    paused: dynamic.pause,
    failsafeActive: status.failsafeActive,
    dcsLastSeen: dcs.lastSeen,
    tags: inputs.tags,
    dynamicNosync: false,
    systemIdentifier: controller.systemIdentifier,
    pendingRestartReason: pg.pendingRestartReason,
    scheduledRestart: null,
    watchdogFailed: false,
    loggerQueueSize: 0,
    loggerRecordsLost: 0,
    nextLoopAt: (dcs.lastCycleAt || systemClock.now()) + dynamic.timing.loopWait * 1000,
    ttl: dynamic.timing.ttl,
    fence: nodeFenceState(inputs.fence?.() ?? null),
  };
}

export function nodeStateSource(inputs: StateInputs): NodeStateSource {
  return {
    current: () => buildNodeState(inputs),
    cluster: () => inputs.dcs.lastCluster,
    config: () => (inputs.dcs.lastCluster?.config?.data as JsonObject | undefined) ?? null,
  };
}
