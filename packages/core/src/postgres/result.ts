/**
 * Expected failures of controller operations travel as values, never as exceptions:
 * the engine branches on `code`. Exceptions are reserved for bugs.
 */
export type PgFailureCode =
  /** The call's deadline passed before it finished. */
  | 'timeout'
  /** Cancelled through the caller's AbortSignal. */
  | 'aborted'
  /** A binary is missing, or its major version differs from the data directory's. */
  | 'binary-not-found'
  | 'version-mismatch'
  /** The data directory cannot be used as it is (owner, permissions, not empty). */
  | 'data-dir-unusable'
  /** Something else listens on the configured port. */
  | 'port-in-use'
  /** A program (initdb, pg_basebackup, pg_rewind, a script) exited non-zero. */
  | 'command-failed'
  /** Postgres did not come up, or died while starting. */
  | 'start-failed'
  | 'stop-failed'
  | 'not-running'
  | 'query-failed'
  | 'connection-failed'
  /** The operation makes no sense in the current role (promote a primary, rewind from a replica). */
  | 'wrong-role'
  /** pg_rewind preconditions fail: no wal_log_hints and no data checksums, or use_pg_rewind off. */
  | 'not-rewindable'
  /** The rewind source is not ready yet (no checkpoint after promotion); retry later. */
  | 'not-ready'
  /** A fencing hook (pre_promote) said no. */
  | 'vetoed'
  /** A config value was refused (only under explicit validation). */
  | 'invalid-config'
  /** No replica creation method could run or succeed. */
  | 'no-method';

export interface PgFailure {
  readonly ok: false;
  readonly code: PgFailureCode;
  /** One line, for logs and the API. Never contains a password. */
  readonly message: string;
  readonly cause?: unknown;
}

export type PgSuccess<T> = [T] extends [void] ? { readonly ok: true } : { readonly ok: true; readonly value: T };

export type PgResult<T = void> = PgSuccess<T> | PgFailure;

export function ok(): { readonly ok: true };
export function ok<T>(value: T): { readonly ok: true; readonly value: T };
export function ok<T>(value?: T): { readonly ok: true; readonly value?: T } {
  return value === undefined ? { ok: true } : { ok: true, value };
}

export function fail(code: PgFailureCode, message: string, cause?: unknown): PgFailure {
  return cause === undefined ? { ok: false, code, message } : { ok: false, code, message, cause };
}
