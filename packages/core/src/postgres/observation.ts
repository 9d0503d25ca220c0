import type { Lsn, PgRole, PgState } from './types.js';

/** One row of pg_stat_replication, as the sync logic and the API need it. */
export interface ReplicationRow {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string;
  readonly syncState: string;
  readonly sentLsn: Lsn | null;
  readonly writeLsn: Lsn | null;
  readonly flushLsn: Lsn | null;
  readonly replayLsn: Lsn | null;
}

/** The WAL receiver as pg_stat_get_wal_receiver shows it (null when none runs). */
export interface WalReceiverInfo {
  readonly status: string;
  readonly slotName: string | null;
  /** Live conninfo with the password masked by Postgres. */
  readonly conninfo: string | null;
  readonly senderHost: string | null;
  readonly senderPort: number | null;
  readonly receivedTimeline: number | null;
}

export interface SlotInfo {
  readonly name: string;
  readonly type: 'physical' | 'logical';
  readonly plugin: string | null;
  readonly database: string | null;
  readonly active: boolean;
  readonly restartLsn: Lsn | null;
  readonly confirmedFlushLsn: Lsn | null;
  /** pg_replication_slots.wal_status (PG 13+): `lost` means the WAL it needs is gone. */
  readonly walStatus?: string | null;
  /** A session's temporary slot (pg_basebackup's, say): gone when the session ends; the slot pass leaves it alone. */
  readonly temporary?: boolean;
  /** Physical slots: the xmin hot-standby feedback left on it (as text), or null. */
  readonly xmin?: string | null;
}

/**
 * What one combined monitoring query returns (spec §3.1 "Monitoring"). Taken once per
 * HA cycle; everything the engine reads about a running Postgres comes from here.
 */
export interface PostgresObservation {
  /** Clock.now() when the answer arrived. */
  readonly observedAt: number;
  readonly inRecovery: boolean;
  /** The primary's current timeline; on a replica, the replayed timeline (0 if unknown). */
  readonly timeline: number;
  /** Primary: pg_current_wal_flush_lsn. Replica: max(received, replayed). */
  readonly walPosition: Lsn;
  readonly receiveLsn: Lsn | null;
  readonly replayLsn: Lsn | null;
  readonly replayPaused: boolean;
  /** Replica: commit time of the last replayed transaction, epoch ms (pg_last_xact_replay_timestamp); null if none yet. */
  readonly replayTimestampMs?: number | null;
  readonly walReceiver: WalReceiverInfo | null;
  readonly replication: readonly ReplicationRow[];
  readonly slots: readonly SlotInfo[];
  readonly synchronousStandbyNames: string;
  readonly synchronousCommit: string;
  /** Postmaster start time as epoch ms (pg_postmaster_start_time). */
  readonly postmasterStartedAt: number;
  /** Timeline of the last checkpoint (pg_control_checkpoint). On a fresh primary it
   * differs from `timeline` until the post-promote checkpoint ran. */
  readonly checkpointTimeline: number;
  /** `server_version_num`, e.g. 150004. */
  readonly serverVersion: number;
}

/** The parts of pg_controldata the engine and rewind logic use. */
export interface ControlData {
  readonly sysid: string;
  /** "in production", "shut down", "shut down in recovery", "in archive recovery", "in crash recovery", … */
  readonly clusterState: string;
  readonly checkpointLsn: Lsn;
  readonly checkpointTimeline: number;
  readonly minRecoveryLsn: Lsn;
  readonly minRecoveryTimeline: number;
  readonly walLogHints: boolean;
  readonly dataChecksums: boolean;
  /** Raw key → value for everything else. */
  readonly raw: Readonly<Record<string, string>>;
}

/** A cheap, synchronous snapshot of what the controller itself tracks (no I/O). */
export interface ControllerStatus {
  readonly state: PgState;
  readonly role: PgRole;
  /** PID of the postmaster we started or adopted, null if none is known. */
  readonly postmasterPid: number | null;
  readonly pendingRestart: boolean;
  /** Parameter → {old_value, new_value}, Patroni's `pending_restart_reason`. */
  readonly pendingRestartReason: Readonly<Record<string, { readonly old_value: string; readonly new_value: string }>>;
}
