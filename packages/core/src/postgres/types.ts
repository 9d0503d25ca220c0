/**
 * Vocabulary shared by the HA engine, the real Postgres controller and the simulation's
 * model of Postgres (spec/ha.md §0).
 */

/**
 * A WAL position as a byte offset (what `pg_wal_lsn_diff(lsn, '0/0')` returns), the form
 * Patroni stores in `xlog_location` and `/status`. A JS number is exact up to 2^53 bytes
 * (8 PiB of WAL), which no cluster reaches.
 */
export type Lsn = number;

/**
 * The role of the local Postgres as the engine sees it. Patroni 3.3.1 calls `primary`
 * "master"; the controller translates at the edges that must stay wire-compatible
 * (callback arguments, member keys).
 */
export type PgRole = 'uninitialized' | 'primary' | 'replica' | 'promoted' | 'demoted' | 'standby_leader';

/** Patroni's state strings, kept verbatim because they reach the member key and the API. */
export type PgState =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stop failed'
  | 'crashed'
  | 'start failed'
  | 'restarting'
  | `restart failed (${string})`
  | 'initializing new cluster'
  | 'initdb failed'
  | 'running custom bootstrap script'
  | 'custom bootstrap failed'
  | 'creating replica';

/** smart = SIGTERM, fast = SIGINT, immediate = SIGQUIT (spec §3.1). */
export type StopMode = 'smart' | 'fast' | 'immediate';

/** Every controller call takes a deadline; an abort signal lets the engine cancel a task. */
export interface CallOptions {
  /** Upper bound for the whole call, in milliseconds. Each method documents its default. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of the calls that read Postgres's state: they may answer from the cycle's observation. */
export interface ObserveOptions extends CallOptions {
  /**
   * An observation whose query was sent at or after this instant (Clock.now) may serve
   * instead of a new query, when the controller has changed nothing in Postgres since and
   * the same postmaster runs. Absent: always query. Lets the engine use the observation
   * it took at the start of a cycle in which none of its actions touched Postgres: an
   * instant, not an age, so the answer's own timing cannot decide whether it serves.
   */
  readonly observedSince?: number;
}

/** What the data directory holds, without starting anything. */
export type DataDirState =
  | { readonly kind: 'empty' }
  | {
      readonly kind: 'valid';
      /** Database system identifier from pg_controldata, as a decimal string (64-bit). */
      readonly sysid: string;
      /** Major version from PG_VERSION, e.g. 15. */
      readonly majorVersion: number;
    }
  /** Exists but cannot be used: unreadable, owned by another user, or not a data dir. */
  | { readonly kind: 'not-accessible'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };
