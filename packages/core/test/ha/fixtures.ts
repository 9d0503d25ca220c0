/**
 * Builders for decision tables: a cluster snapshot and a local state, each starting
 * from a healthy default (n1 a streaming replica of leader n2) and changed per row.
 */
import {
  EMPTY_CLUSTER,
  emptySync,
  readDynamicConfig,
  readTags,
  INITIAL_MEMORY,
  type Cluster,
  type ControllerStatus,
  type HaMemory,
  type HaView,
  type JsonObject,
  type Member,
  type MemberData,
  type NodeConfig,
  type PeerStatus,
  type PostgresObservation,
  type HistoryLine,
} from '../../src/index.js';

export const SYSID = '7000000000000000001';
export const OTHER_SYSID = '7999999999999999999';

export function member(name: string, data: Partial<MemberData> = {}): Member {
  return {
    name,
    version: '1',
    session: `lease-${name}`,
    data: {
      conn_url: `postgres://${name}:5432/postgres`,
      api_url: `http://${name}:8008/patroni`,
      state: 'running',
      role: 'replica',
      version: '3.3.1',
      ...data,
    },
  };
}

export interface ClusterSpec {
  leader?: string | null;
  members?: Member[];
  initialize?: string | null;
  config?: JsonObject | null;
  failover?: { leader?: string; candidate?: string; scheduledAtMs?: number } | null;
  sync?: { leader: string; standbys: string[] } | null;
  history?: HistoryLine[] | null;
  lastLsn?: number;
  failsafe?: Record<string, string> | null;
}

export function makeCluster(spec: ClusterSpec = {}): Cluster {
  const members = spec.members ?? [member('n1'), member('n2', { role: 'primary', xlog_location: 1000, timeline: 1 })];
  const leaderName = spec.leader === undefined ? 'n2' : spec.leader;
  const leaderMember = members.find((m) => m.name === leaderName) ?? { name: leaderName ?? '', version: '0', session: null, data: {} };
  const f = spec.failover;
  return {
    ...EMPTY_CLUSTER,
    initialize: spec.initialize === undefined ? SYSID : spec.initialize,
    config: spec.config === null ? null : { version: '5', modifyVersion: '5', data: spec.config ?? { ttl: 30, loop_wait: 10 } },
    leader: leaderName ? { name: leaderName, version: '3', session: `lease-${leaderName}`, member: leaderMember } : null,
    members: [...members].sort((a, b) => a.name.localeCompare(b.name)),
    status: { lastLsn: spec.lastLsn ?? 1000, slots: null, extra: {} },
    failover: f
      ? {
          version: '9',
          leader: f.leader ?? null,
          candidate: f.candidate ?? null,
          scheduledAt: f.scheduledAtMs === undefined ? null : new Date(f.scheduledAtMs).toISOString(),
          scheduledAtMs: f.scheduledAtMs ?? null,
          extra: {},
        }
      : null,
    sync: spec.sync ? { version: '7', leader: spec.sync.leader, syncStandbys: spec.sync.standbys, extra: {} } : emptySync('7'),
    history: spec.history === null || spec.history === undefined ? (spec.history === null ? null : { version: '1', raw: '[]', lines: [] }) : { version: '1', raw: '', lines: spec.history },
    failsafe: spec.failsafe ?? null,
  };
}

export function observation(o: Partial<PostgresObservation> = {}): PostgresObservation {
  return {
    observedAt: 0,
    inRecovery: true,
    timeline: 1,
    walPosition: 1000,
    receiveLsn: 1000,
    replayLsn: 1000,
    replayPaused: false,
    walReceiver: { status: 'streaming', slotName: 'n1', conninfo: null, senderHost: 'n2', senderPort: 5432, receivedTimeline: 1 },
    replication: [],
    slots: [],
    synchronousStandbyNames: '',
    synchronousCommit: 'on',
    postmasterStartedAt: 0,
    checkpointTimeline: 1,
    serverVersion: 150004,
    ...o,
  };
}

export function status(s: Partial<ControllerStatus> = {}): ControllerStatus {
  return { state: 'running', role: 'replica', postmasterPid: 100, pendingRestart: false, pendingRestartReason: {}, ...s };
}

export function nodeConfig(n: Partial<NodeConfig> = {}): NodeConfig {
  return {
    name: 'n1',
    apiUrl: 'http://n1:8008/patroni',
    connUrl: 'postgres://n1:5432/postgres',
    proxyUrl: null,
    tags: readTags({}),
    version: '3.3.1',
    canBootstrap: true,
    canCloneWithoutLeader: false,
    bootstrapDcsConfig: { ttl: 30, loop_wait: 10 },
    removeDataDirectoryOnDivergedTimelines: false,
    ...n,
  };
}

export type LocalSpec =
  | 'replica'
  | 'primary'
  | 'stopped'
  | 'crashed-primary'
  | 'empty'
  | 'starting-primary';

export interface ViewSpec {
  cluster?: Cluster | 'unavailable';
  lastCluster?: Cluster | null;
  local?: LocalSpec;
  obs?: Partial<PostgresObservation>;
  status?: Partial<ControllerStatus>;
  node?: Partial<NodeConfig>;
  tags?: JsonObject;
  config?: JsonObject;
  memory?: Partial<HaMemory>;
  task?: HaView['task'];
  peers?: PeerStatus[];
  now?: number;
  wallNow?: number;
  stateSince?: number;
  controlState?: string;
  oldCluster?: Cluster | null;
}

export function peer(name: string, p: Partial<PeerStatus> = {}): PeerStatus {
  return { name, reachable: true, inRecovery: true, walPosition: 1000, timeline: 1, nofailover: false, failoverPriority: 1, watchdogFailed: false, ...p };
}

export function view(spec: ViewSpec = {}): HaView {
  const local = spec.local ?? 'replica';
  const cluster = spec.cluster ?? makeCluster();
  const primaryLike = local === 'primary' || local === 'crashed-primary' || local === 'starting-primary';
  const running = local === 'replica' || local === 'primary' || local === 'starting-primary';
  const baseStatus: Partial<ControllerStatus> =
    local === 'stopped' ? { state: 'stopped', role: 'replica', postmasterPid: null }
    : local === 'crashed-primary' ? { state: 'crashed', role: 'primary', postmasterPid: null }
    : local === 'starting-primary' ? { state: 'starting', role: 'primary' }
    : local === 'empty' ? { state: 'stopped', role: 'uninitialized', postmasterPid: null }
    : { role: primaryLike ? 'primary' : 'replica' };
  const obs = running && local !== 'starting-primary'
    ? observation({ ...(primaryLike ? { inRecovery: false, walReceiver: null } : {}), ...spec.obs })
    : null;
  const configData = spec.config ?? (cluster !== 'unavailable' ? (cluster.config?.data as JsonObject | undefined) : undefined) ?? {};
  return {
    now: spec.now ?? 1_000_000,
    wallNow: spec.wallNow ?? Date.UTC(2026, 0, 1),
    node: nodeConfig({ ...spec.node, ...(spec.tags ? { tags: readTags(spec.tags) } : {}) }),
    dcs: cluster === 'unavailable'
      ? { kind: 'unavailable', cause: Object.assign(new Error('down'), { code: 'connection-failed', transient: true }) as never, lastCluster: spec.lastCluster ?? null }
      : { kind: 'loaded', cluster },
    oldCluster: spec.oldCluster ?? null,
    config: readDynamicConfig(spec.config ?? configData),
    local: {
      status: status({ ...baseStatus, ...spec.status }),
      running,
      observation: obs,
      dataDir: local === 'empty' ? { kind: 'empty' } : { kind: 'valid', sysid: SYSID, majorVersion: 16 },
      controlData: running || local === 'empty' ? null : {
        sysid: SYSID,
        clusterState: spec.controlState ?? (local === 'crashed-primary' ? 'in production' : 'shut down in recovery'),
        checkpointLsn: 900,
        checkpointTimeline: 1,
        minRecoveryLsn: 0,
        minRecoveryTimeline: 0,
        walLogHints: true,
        dataChecksums: false,
        raw: {},
      },
      stateSince: spec.stateSince ?? 0,
    },
    lock: { validUntil: null },
    task: spec.task ?? null,
    peers: spec.peers ? new Map(spec.peers.map((p) => [p.name, p])) : null,
    memory: { ...INITIAL_MEMORY, startCallbackFired: true, ...spec.memory },
    failsafeLeader: null,
    random: 0,
  };
}

/** A cluster where n1 holds the lock. */
export function ledByMe(spec: ClusterSpec = {}): Cluster {
  return makeCluster({
    leader: 'n1',
    members: [member('n1', { role: 'primary', xlog_location: 1000 }), member('n2', { xlog_location: 1000 })],
    ...spec,
  });
}
