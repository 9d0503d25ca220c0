import type { HistoryLine } from '../dcs/cluster.js';
import type { CallbackEvent } from './callbacks.js';
import type { ControlData, ControllerStatus, PostgresObservation } from './observation.js';
import type { PgResult } from './result.js';
import type { DivergenceVerdict, RewindOutcome, RewindSource } from './rewind.js';
import type { CopyLogicalSlotsRequest, SlotPassReport, SlotPassRequest } from './slots.js';
import type { CallOptions, DataDirState, ObserveOptions, PgRole, StopMode } from './types.js';
import type { FollowOutcome, FollowRequest, UpstreamNode } from './upstream.js';

/** Server parameters as in `postgresql.parameters` (patroni.yml or /config). */
export type PostgresParameters = Readonly<Record<string, string | number | boolean>>;

export interface StartOptions extends CallOptions {
  /**
   * `primary` only when the engine holds the leader lock (or bootstraps). Default: the
   * role the data directory says (a signal file means replica). The controller never
   * decides on its own to run a node writable.
   */
  readonly role?: Extract<PgRole, 'primary' | 'replica' | 'standby_leader'>;
  /** For a replica: whom to stream from (null/absent = no primary_conninfo). */
  readonly upstream?: UpstreamNode | null;
  /** Suppress on_start (used inside restart and follow). */
  readonly blockCallbacks?: boolean;
}

export interface StopOptions extends CallOptions {
  /** Run CHECKPOINT first (default: true unless mode is immediate). */
  readonly checkpoint?: boolean;
  /** Called once no user backend can still report a commit (the demotion safepoint). */
  readonly onSafepoint?: () => void;
  /** Suppress on_stop (used inside restart and follow). */
  readonly blockCallbacks?: boolean;
}

export interface PromoteOptions extends CallOptions {
  /** How long to wait for `in production` after signalling (Patroni: loop_wait). */
  readonly waitMs?: number;
}

export interface CloneSource {
  /** null = no leader: only `no_leader` methods may run. */
  readonly upstream: UpstreamNode | null;
}

/**
 * `postgresql.pg_hba`, `pg_ident` and `recovery_conf` of the dynamic configuration
 * (`/config`); null where `/config` does not set them. Patroni's precedence applies: the
 * local patroni.yml value of each, when set, wins over these.
 */
export interface DynamicConfigFiles {
  readonly pgHba: readonly string[] | null;
  readonly pgIdent: readonly string[] | null;
  readonly recoveryConf: Readonly<Record<string, string | number | boolean>> | null;
}

export interface ApplyParametersOptions extends CallOptions {
  /** `/config`'s pg_hba, pg_ident and recovery_conf; absent: the ones last given stay. */
  readonly files?: DynamicConfigFiles;
}

export interface ConfigChangeReport {
  /** Parameters whose change took effect through a reload. */
  readonly reloaded: readonly string[];
  /** Parameters whose change needs a restart, with {old_value, new_value}. */
  readonly pendingRestart: Readonly<Record<string, { readonly old_value: string; readonly new_value: string }>>;
  /** Parameters dropped or reset to default because their value was invalid (warned). */
  readonly rejected: readonly string[];
  /** What else the change rewrote before the reload: `pg_hba.conf`, `pg_ident.conf`, `recovery_conf`. */
  readonly rewritten?: readonly string[];
}

/** Emitted the moment the postmaster exits, whether we started it or adopted it. */
export interface PostmasterExit {
  readonly pid: number;
  /** True when we asked it to stop (stop/restart); false for a crash or a kill. */
  readonly expected: boolean;
}

export type Unsubscribe = () => void;

/**
 * Everything the HA engine asks of Postgres. Implemented by the real controller
 * (`LocalPostgresController`) and by the simulation's model, so the engine can run
 * against either. Every method that does I/O has a deadline (`timeoutMs`, documented
 * default) and answers expected failures with a `PgResult`; it throws only for bugs.
 */
export interface PostgresController {
  /** The member name: application_name on the upstream and the slot name base. */
  readonly memberName: string;

  // --- state -------------------------------------------------------------------------
  /** Synchronous snapshot of what the controller tracks (state, role, pending restart). */
  status(): ControllerStatus;
  /** What the data directory holds. Never starts anything. */
  dataDirState(opts?: CallOptions): Promise<DataDirState>;
  /**
   * Whether a postmaster runs on our data dir: ours, or one found through postmaster.pid
   * whose start time matches (then it is adopted and watched). Default timeout 5 s.
   */
  isRunning(opts?: CallOptions): Promise<boolean>;
  /**
   * The combined monitoring query (connect 3 s, statement 2 s by default); with
   * `observedSince`, the last answer when its query was sent since then and nothing changed since.
   */
  observe(opts?: ObserveOptions): Promise<PgResult<PostgresObservation>>;
  /** pg_controldata of the data dir; works while Postgres is down. */
  controlData(opts?: CallOptions): Promise<PgResult<ControlData>>;
  /** The postmaster exited (crash, kill, or our stop). Listeners must not throw. */
  onPostmasterExit(listener: (exit: PostmasterExit) => void): Unsubscribe;
  /** A callback script was launched. */
  onCallback(listener: (event: CallbackEvent) => void): Unsubscribe;

  // --- creating a data directory -------------------------------------------------------
  /**
   * Initialise a new cluster (initdb or the custom `bootstrap.method`) and start it as
   * the primary. Only for the node that won `initialize`. Default timeout 5 min.
   */
  bootstrap(opts?: CallOptions): Promise<PgResult>;
  /** After bootstrap: superuser/replication/rewind roles, `post_bootstrap` script. */
  postBootstrap(opts?: CallOptions): Promise<PgResult>;
  /** Create a replica's data dir with the configured methods, in order. Leaves it stopped. */
  clone(source: CloneSource, opts?: CallOptions): Promise<PgResult<{ readonly method: string }>>;
  /** Remove the data directory (before a re-clone). */
  removeDataDirectory(opts?: CallOptions): Promise<PgResult>;
  /**
   * After a failed bootstrap: rename the data directory to `<dir>_<timestamp>` so the
   * next start begins clean (a half-made cluster has its own system ID and could never
   * join), keeping it for a post-mortem. `movedTo` is null when there was none.
   */
  moveDataDirectoryAside?(opts?: CallOptions): Promise<PgResult<{ readonly movedTo: string | null }>>;

  // --- process ------------------------------------------------------------------------
  /** Start and wait until it accepts connections. Default timeout pg_ctl_timeout (60 s). */
  start(opts?: StartOptions): Promise<PgResult>;
  /** Stop in a mode; after the timeout, SIGKILL of the postmaster's process group. */
  stop(mode: StopMode, opts?: StopOptions): Promise<PgResult>;
  /** stop(fast) + start; pending restart is cleared on success. */
  restart(opts?: StartOptions): Promise<PgResult>;
  /** SIGHUP the postmaster (fires on_reload). */
  reload(opts?: CallOptions): Promise<PgResult>;
  /**
   * Runs pre_promote (a non-zero exit → `vetoed`), then promotes and waits for
   * `in production`. Only the engine calls this, and only while it holds the lock.
   */
  promote(opts?: PromoteOptions): Promise<PgResult>;
  /** Point the node at an upstream as a replica (or standby leader); reload or restart as needed. */
  follow(request: FollowRequest, opts?: CallOptions): Promise<PgResult<FollowOutcome>>;
  /**
   * The timeline history file (`<tli>.history` in pg_wal) as /history lines
   * `[tli, switch lsn, reason]`; an empty list for timeline 1.
   */
  readTimelineHistory(timeline: number, opts?: CallOptions): Promise<PgResult<readonly HistoryLine[]>>;
  /** CHECKPOINT with statement_timeout=0 (graceful demotion, post-promote). */
  checkpoint(opts?: CallOptions): Promise<PgResult>;

  // --- configuration --------------------------------------------------------------------
  /**
   * New `postgresql.parameters` from the dynamic config, and with `opts.files` its
   * pg_hba, pg_ident and recovery_conf (used where patroni.yml does not set them; a
   * replica's recovery settings follow recovery_conf). Rewrites the config files and
   * reloads when running — never a restart; reports what needs one (pending_restart).
   * Stopped: remembered for the next start.
   */
  applyParameters(parameters: PostgresParameters, opts?: ApplyParametersOptions): Promise<PgResult<ConfigChangeReport>>;
  /** Set `synchronous_standby_names` (null = empty) and reload. */
  setSynchronousStandbyNames(value: string | null, opts?: CallOptions): Promise<PgResult>;

  // --- rewind ---------------------------------------------------------------------------
  /** use_pg_rewind is on and pg_controldata shows wal_log_hints or data checksums. */
  canRewind(opts?: CallOptions): Promise<PgResult>;
  /** Does our history diverge from the leader's? (IDENTIFY_SYSTEM, TIMELINE_HISTORY.) */
  checkDivergence(leader: RewindSource, opts?: CallOptions): Promise<PgResult<DivergenceVerdict>>;
  /**
   * Stop (fast), crash-recover if needed, run pg_rewind from the leader. Failure codes:
   * `not-rewindable`, `not-ready` (leader has not checkpointed; retry), `wrong-role`
   * (source in recovery), `command-failed`. Data is untouched on failure unless the config
   * allows removal (then `removed-for-reclone`).
   */
  rewind(leader: RewindSource, opts?: CallOptions): Promise<PgResult<RewindOutcome>>;
  /** Single-user crash recovery so the data dir is cleanly shut down. */
  crashRecovery(opts?: CallOptions): Promise<PgResult>;

  // --- slots --------------------------------------------------------------------------
  /**
   * Make the slots match the engine's desired list: create, advance, drop. With
   * `observedSince`, the existing slots may be read from a recent observation (see observe).
   */
  syncSlots(request: SlotPassRequest, opts?: ObserveOptions): Promise<PgResult<SlotPassReport>>;
  /**
   * A replica copies logical slots from the leader (a standby cannot create them before
   * PostgreSQL 16): reads each slot's state file there, stops, writes them into
   * pg_replslot and starts again as the same replica. Slots the leader lacks, or whose
   * database or plugin differ from the request, are left out. Default timeout 2 min.
   */
  copyLogicalSlots(request: CopyLogicalSlotsRequest, opts?: CallOptions): Promise<PgResult<{ readonly copied: readonly string[] }>>;

  /** Stop watchers and close connections. Postgres keeps running (it outlives the agent). */
  close(): Promise<void>;
}
