/**
 * What the REST API knows about this node: a plain value the HA loop produces once per
 * cycle. Health checks are answered from it alone — no SQL, no DCS read — so a load
 * balancer hammering `/primary` never slows the loop, and the answer is the loop's own
 * view (spec/api.md §1.2–§1.5, DESIGN.md "The agent").
 */
import type { JsonObject } from '../dcs/cluster.js';

/** Patroni's Postgres states, plus `unknown` (the monitoring query failed while running). */
export type PostgresRunState =
  | 'running'
  | 'starting'
  | 'stopping'
  | 'stopped'
  | 'stop failed'
  | 'crashed'
  | 'restarting'
  | 'restart failed'
  | 'start failed'
  | 'initializing new cluster'
  | 'initdb failed'
  | 'running custom bootstrap script'
  | 'custom bootstrap failed'
  | 'creating replica'
  | 'unknown'
  | (string & {});

/** A primary reports where its WAL is flushed to. */
export interface PrimaryXlog {
  readonly kind: 'primary';
  /** Flush LSN in bytes from 0/0. */
  readonly location: number;
}

/** A replica reports what it received and replayed. */
export interface ReplicaXlog {
  readonly kind: 'replica';
  /** Receive LSN in bytes; the producer falls back to the replay LSN, as Patroni does. */
  readonly receivedLocation: number;
  readonly replayedLocation: number;
  /** `pg_last_xact_replay_timestamp()` in epoch seconds (fractional), or null. */
  readonly replayedTimestamp: number | null;
  readonly paused: boolean;
}

/** One row of `pg_stat_replication`, with the column names Patroni reports. */
export interface ReplicationStatusRow {
  readonly usename: string | null;
  readonly application_name: string | null;
  readonly client_addr: string | null;
  readonly state: string | null;
  readonly sync_state: string | null;
  readonly sync_priority: number | null;
}

/** What the last monitoring query returned; absent while Postgres is down or the query failed. */
export interface PostgresStatus {
  /** `pg_postmaster_start_time()` in epoch seconds (fractional), or null. */
  readonly postmasterStartTime: number | null;
  /** e.g. 150004. */
  readonly serverVersion: number;
  readonly xlog: PrimaryXlog | ReplicaXlog;
  /** The node is a replica named in the DCS `sync` key while synchronous_mode is on. */
  readonly syncStandby: boolean;
  /** The node is a replica named in the DCS `sync` key while synchronous_mode is `quorum` (then syncStandby is false). */
  readonly quorumStandby?: boolean;
  /** A primary's own timeline; a replica's cached or received one; null when unknown. */
  readonly timeline: number | null;
  readonly replicationState: 'streaming' | 'in archive recovery' | null;
  readonly replication: readonly ReplicationStatusRow[];
}

/** Same shape as the controller's `pendingRestartReason` entries: Patroni's wire names. */
export interface PendingRestartChange {
  readonly old_value: string;
  readonly new_value: string;
}

/** A restart requested through `POST /restart` with a `schedule`. */
export interface ScheduledRestart {
  /** ISO 8601 with an offset, as Patroni reports it (`2024-06-17T10:00:00+00:00`). */
  readonly schedule: string;
  /** The request's filters, reported back as given. */
  readonly role?: string;
  readonly postgresVersion?: string;
  readonly restartPending?: boolean;
  /** Seconds. */
  readonly timeout?: number;
}

/** The fence (docs/fencing.md) as the API reports it. */
export interface NodeFenceState {
  /** The guard will stop Postgres at `deadline` unless the agent renews first. */
  readonly armed: boolean;
  /** When the guard acts, in epoch seconds (fractional); null while disarmed. */
  readonly deadline: number | null;
  /** How many times the guard stopped Postgres since the agent started. */
  readonly fencedCount: number;
}

export type TagValue = string | number | boolean | null | JsonObject | readonly unknown[];

export interface NodeState {
  readonly name: string;
  readonly scope: string;
  /** The Patroni protocol version reported in `patroni.version` and `patroni_version` (PATRONI_PROTOCOL_VERSION). */
  readonly version: string;
  /** pgwarden's own release, reported as `pgwarden_version` in `/patroni` and `pgwarden_version_info`. */
  readonly pgwardenVersion?: string;

  readonly state: PostgresRunState;
  /**
   * Postgres' role as the node sees it: `primary` (`master` accepted), `replica`,
   * `standby_leader`, `demoted`, `uninitialized`. In a standby cluster a recovering
   * node reports its internal role, as Patroni does.
   */
  readonly role: string;
  /** The postmaster process exists (Patroni's `is_running()`); used by `/liveness`. */
  readonly postmasterRunning: boolean;
  /** The last monitoring query's result, or null (the document then holds only state and role). */
  readonly postgres: PostgresStatus | null;

  /** A DCS cluster snapshot is cached; without one the sync paths always answer 503. */
  readonly clusterKnown: boolean;
  /** No one holds the leader key (also true when no snapshot is cached). */
  readonly clusterUnlocked: boolean;
  /** The holder of the leader key, if any. */
  readonly leaderName: string | null;
  /** The leader's last reported LSN from the DCS `status` key; 0 when unknown (never lagging). */
  readonly leaderLsn: number;
  /**
   * When this node's own leader lock runs out, on the agent's monotonic Clock (ms);
   * null when it does not hold it. Health answers compare it with the request time, so a
   * stalled loop stops claiming `/primary` once its lock would have expired.
   */
  readonly lockExpiresAt: number | null;
  /** The dynamic config has a `standby_cluster` section with host, port or restore_command. */
  readonly standbyCluster: boolean;
  /** synchronous_mode is `quorum`: /metrics then reports patroni_quorum_standby (Patroni 4's metric). */
  readonly quorumCommit?: boolean;
  /** Maintenance mode (`pause` in the dynamic config). */
  readonly paused: boolean;
  readonly failsafeActive: boolean;
  /** Epoch seconds of the last successful DCS contact. */
  readonly dcsLastSeen: number;

  /** The configured tags after Patroni's filtering (false built-in booleans are dropped). */
  readonly tags: Readonly<Record<string, TagValue>>;
  /** Synchronous replication is disabled for this node at run time: reported as `nosync: true`. */
  readonly dynamicNosync: boolean;
  readonly systemIdentifier: string | null;
  /** Parameters that need a restart to take effect; empty when none. */
  readonly pendingRestartReason: Readonly<Record<string, PendingRestartChange>>;
  readonly scheduledRestart: ScheduledRestart | null;
  readonly watchdogFailed: boolean;
  /** Reported only when the log queue holds more than the normal 2 records. */
  readonly loggerQueueSize: number;
  readonly loggerRecordsLost: number;

  /** When the next HA cycle is due, on the monotonic Clock (ms); feeds `/liveness`. */
  readonly nextLoopAt: number;
  /** The leader key's TTL in seconds; feeds `/liveness`. */
  readonly ttl: number;
  /** The fence's state; null or absent when the fence is off. */
  readonly fence?: NodeFenceState | null;
  /** HA cycles that ended in an unexpected error (logged; the loop went on). */
  readonly haLoopErrors?: number;
}

/** True when the role names a primary under either spelling. */
export function isPrimaryRole(role: string): boolean {
  return role === 'primary' || role === 'master';
}

/**
 * The state before the first HA cycle finished: Postgres not yet observed, no DCS view.
 * The agent serves this until the loop publishes something better, so health checks
 * fail closed (503) while the node starts.
 */
export function initialNodeState(identity: {
  readonly name: string;
  readonly scope: string;
  readonly version: string;
  readonly ttl: number;
  readonly nextLoopAt: number;
  readonly tags?: Readonly<Record<string, TagValue>>;
}): NodeState {
  return {
    name: identity.name,
    scope: identity.scope,
    version: identity.version,
    state: 'stopped',
    role: 'uninitialized',
    postmasterRunning: false,
    postgres: null,
    clusterKnown: false,
    clusterUnlocked: true,
    leaderName: null,
    leaderLsn: 0,
    lockExpiresAt: null,
    standbyCluster: false,
    paused: false,
    failsafeActive: false,
    dcsLastSeen: 0,
    tags: identity.tags ?? {},
    dynamicNosync: false,
    systemIdentifier: null,
    pendingRestartReason: {},
    scheduledRestart: null,
    watchdogFailed: false,
    loggerQueueSize: 0,
    loggerRecordsLost: 0,
    nextLoopAt: identity.nextLoopAt,
    ttl: identity.ttl,
    fence: null,
  };
}
