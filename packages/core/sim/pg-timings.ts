/**
 * How long each Postgres operation takes in the model, in virtual milliseconds. Disk-bound
 * ones are multiplied by the node's slow-disk factor. Defaults are in the range a small
 * real cluster shows; the simulation only needs them plausible and configurable.
 */
export interface PgModelTimings {
  readonly startMs: number;
  /** Extra time on start after an unclean shutdown (crash recovery replays WAL). */
  readonly crashRecoveryMs: number;
  readonly stopFastMs: number;
  readonly stopImmediateMs: number;
  /** pre_promote plus the part of promotion that can still be cancelled. */
  readonly prePromoteMs: number;
  /** From `pg_ctl promote` to `in production`. */
  readonly promoteMs: number;
  readonly checkpointMs: number;
  /** The background checkpoint Postgres requests after a fast promotion. */
  readonly autoCheckpointAfterPromoteMs: number;
  readonly cloneMs: number;
  readonly rewindMs: number;
  readonly bootstrapMs: number;
  readonly postBootstrapMs: number;
  /** One monitoring query / pg_controldata / reload. */
  readonly queryMs: number;
  /** Local fsync of a commit record. */
  readonly fsyncMs: number;
  /** Primary → standby delivery of new WAL (network plus the standby's flush). */
  readonly replicationLatencyMs: number;
  /** Standby flush → replay. */
  readonly replayLagMs: number;
  /** wal_retrieve_retry_interval (pgwarden writes 1s unless configured): a disconnected walreceiver tries again after this. */
  readonly receiverRetryMs: number;
  /** Default deadline of start/stop (pg_ctl_timeout). */
  readonly pgCtlTimeoutMs: number;
}

export const DEFAULT_PG_TIMINGS: PgModelTimings = {
  startMs: 1500,
  crashRecoveryMs: 1000,
  stopFastMs: 800,
  stopImmediateMs: 100,
  prePromoteMs: 50,
  promoteMs: 700,
  checkpointMs: 400,
  autoCheckpointAfterPromoteMs: 20_000,
  cloneMs: 4000,
  rewindMs: 1500,
  bootstrapMs: 2500,
  postBootstrapMs: 300,
  queryMs: 5,
  fsyncMs: 2,
  replicationLatencyMs: 15,
  replayLagMs: 40,
  receiverRetryMs: 1000,
  pgCtlTimeoutMs: 60_000,
};
