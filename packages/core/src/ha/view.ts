/**
 * What `decide()` looks at: one immutable view per cycle, assembled by the loop from the
 * DCS snapshot, the local Postgres, the running task, peers' statuses and what the
 * engine remembers between cycles. Nothing in here does I/O.
 */
import type { ScheduledRestartEntry } from './scheduled-restart.js';
import type { DynamicConfig } from '../config/dynamic.js';
import type { Cluster, JsonObject } from '../dcs/cluster.js';
import type { DcsError } from '../errors.js';
import type { ControlData, ControllerStatus, PostgresObservation } from '../postgres/observation.js';
import type { DataDirState } from '../postgres/types.js';
import type { ConfigJson } from './decide/parameters.js';
import type { PeerStatus } from './peers.js';
import type { NodeTags } from './tags.js';

/** This node: identity and the local (patroni.yml) settings the engine needs. */
export interface NodeConfig {
  readonly name: string;
  /** `http(s)://host:port/patroni`. */
  readonly apiUrl: string;
  /** `postgres://host:port/dbname`. */
  readonly connUrl: string;
  readonly proxyUrl: string | null;
  readonly tags: NodeTags;
  /** The Patroni protocol version written into the member key (dotted integers): PATRONI_PROTOCOL_VERSION. */
  readonly version: string;
  /** pgwarden's own release, written as `pgwarden_version` next to it (`unknown` when not given). */
  readonly pgwardenVersion?: string;
  /** patroni.yml has a `bootstrap` section, so this node may initialise a new cluster. */
  readonly canBootstrap: boolean;
  /** Some replica method is flagged `no_leader`/`no_master` (clone without a leader). */
  readonly canCloneWithoutLeader: boolean;
  /** `bootstrap.dcs`: what the lock holder writes into an empty `/config`. */
  readonly bootstrapDcsConfig: JsonObject;
  readonly removeDataDirectoryOnDivergedTimelines: boolean;
}

export type ClusterView =
  | { readonly kind: 'loaded'; readonly cluster: Cluster }
  /** The read failed; `lastCluster` is the last snapshot we had (for failsafe). */
  | { readonly kind: 'unavailable'; readonly cause: DcsError; readonly lastCluster: Cluster | null };

export interface LocalPostgres {
  readonly status: ControllerStatus;
  /** A postmaster runs on our data directory. */
  readonly running: boolean;
  /** This cycle's monitoring query; null when Postgres is down or the query failed. */
  readonly observation: PostgresObservation | null;
  readonly dataDir: DataDirState;
  /** pg_controldata, read by the loop only while Postgres is down. */
  readonly controlData: ControlData | null;
  /** Clock.now() when `status.state` last changed (Patroni's time_in_state). */
  readonly stateSince: number;
}

export type TaskKind =
  | 'bootstrap'
  | 'post-bootstrap'
  | 'clone'
  | 'reinitialize'
  | 'promote'
  | 'start'
  | 'restart'
  | 'follow'
  | 'rewind'
  | 'crash-recovery'
  | 'demote'
  | 'copy-logical-slots';

/** The single long action in flight. `name` is Patroni's (`promote`, `restarting after failure`, …). */
export interface RunningTask {
  readonly kind: TaskKind;
  readonly name: string;
  readonly startedAt: number;
}

export type RewindState = 'initial' | 'check' | 'need' | 'not-need' | 'success' | 'failed';

/** Whom Postgres was last pointed at, so an unchanged target is not re-applied each cycle. */
export interface FollowingState {
  readonly upstream: string | null;
  readonly connUrl: string | null;
  readonly role: 'replica' | 'standby_leader';
  /** The standby_cluster settings applied with it (JSON), so a change of them is applied too. */
  readonly standby?: string | null;
}

/**
 * What the engine carries from one cycle to the next (Patroni keeps these as fields of
 * its Ha object). decide() reads it and changes it only through `remember` actions; the
 * executor updates it when a task ends.
 */
export interface HaMemory {
  /** running: bootstrap task; started: Postgres is up, post_bootstrap pending; done/failed: its result. */
  readonly bootstrap: 'running' | 'started' | 'done' | 'failed' | null;
  /** An async start/restart was launched; the next cycle checks it worked. */
  readonly recovering: boolean;
  readonly crashRecoveryStartedAt: number | null;
  /** The last promote was vetoed by pre_promote: release the lock and back off. */
  readonly prePromoteVetoed: boolean;
  /** No leader race before this time (after releasing the lock for a failed pre_promote). */
  readonly raceBackoffUntil: number | null;
  /** A fresh primary owes a CHECKPOINT; the member key says so until it is done. */
  readonly checkpointAfterPromote: 'needed' | 'running' | 'done' | null;
  readonly rewind: RewindState;
  /** on_start has been fired once (Patroni's cb_called): used to detect a first cycle. */
  readonly startCallbackFired: boolean;
  readonly failsafeActive: boolean;
  readonly wasPaused: boolean;
  /** The live synchronous_standby_names last seen, and the WAL position when it changed. */
  readonly syncWatch: { readonly names: string; readonly lsn: number } | null;
  readonly following: FollowingState | null;
  /**
   * `postgresql.parameters` of the dynamic config last handed to Postgres, as JSON; null
   * until the loop knows what the controller started with (then nothing is applied).
   */
  readonly appliedParameters: string | null;
  /**
   * `/config`'s pg_hba, pg_ident and recovery_conf last handed to Postgres, as JSON; null
   * until the first hand-over (the first cycle hands them over when `/config` sets any:
   * Patroni rewrites pg_hba/pg_ident when it joins a running Postgres).
   */
  readonly appliedConfigFiles: string | null;
  /** A restart scheduled through the REST API, until it runs or is dropped. */
  readonly scheduledRestart: ScheduledRestartEntry | null;
  /**
   * The leader's `retain_slots` bookkeeping: slot name of a member that left → Clock.now()
   * when this leader first saw it gone. Its slot is kept until `member_slots_ttl` later.
   */
  readonly retainGoneSince?: Readonly<Record<string, number>>;
}

export const INITIAL_MEMORY: HaMemory = {
  bootstrap: null,
  recovering: false,
  crashRecoveryStartedAt: null,
  prePromoteVetoed: false,
  raceBackoffUntil: null,
  checkpointAfterPromote: null,
  rewind: 'initial',
  startCallbackFired: false,
  failsafeActive: false,
  wasPaused: false,
  syncWatch: null,
  following: null,
  appliedParameters: null,
  appliedConfigFiles: null,
  scheduledRestart: null,
};

/** A primary's `POST /failsafe` received by this node (spec/ha.md §1.14). */
export interface FailsafeRecord {
  readonly name: string;
  readonly connUrl: string | null;
  readonly apiUrl: string | null;
  readonly receivedAt: number;
}

/** The watchdog as decide() sees it; absent when the engine runs without one. */
export interface WatchdogView {
  readonly mode: 'off' | 'automatic' | 'required';
  /** The device is open (activated). */
  readonly running: boolean;
  /** False when `required` and the device is known unusable: no leader race. */
  readonly healthy: boolean;
}

export interface HaView {
  /** Clock.now(), monotonic ms. */
  readonly now: number;
  /** Clock.wallNow(), epoch ms (scheduled switchovers). */
  readonly wallNow: number;
  readonly node: NodeConfig;
  readonly dcs: ClusterView;
  /** The last snapshot that had a leader; the leader race still compares against its members. */
  readonly oldCluster: Cluster | null;
  /** `/config` as last read while valid. */
  readonly config: DynamicConfig;
  /** `config`'s parameters and files as JSON (absent: decide makes them). */
  readonly configJson?: ConfigJson;
  readonly local: LocalPostgres;
  /** Until when our lock is known valid (from the last `held`), or null. */
  readonly lock: { readonly validUntil: number | null };
  readonly task: RunningTask | null;
  /** Peers' `/patroni` answers by name; null when the loop did not fetch them this cycle. */
  readonly peers: ReadonlyMap<string, PeerStatus> | null;
  readonly memory: HaMemory;
  readonly failsafeLeader: FailsafeRecord | null;
  /** A uniform draw in [0, 1) from the loop's seeded Random (clone source choice). */
  readonly random: number;
  /** The lease guard's readiness (LeaseGuard.readiness); absent or null: nothing to activate before leading. */
  readonly watchdog?: WatchdogView | null;
}
