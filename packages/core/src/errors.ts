/**
 * Errors in pgwarden carry a stable `code` that callers can branch on and an optional
 * `cause`. They are thrown only for programming errors and for failures at start-up
 * (a bad config, an unreachable DCS); runtime DCS failures travel as typed outcomes.
 */
export class PgwardenError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export type DcsErrorCode =
  /** The call did not finish before its deadline. */
  | 'deadline-exceeded'
  /** The server could not be reached, or the connection broke. */
  | 'connection-failed'
  /** The server answered with an error the retry policy treats as passing. */
  | 'server-unavailable'
  /** Credentials were refused. */
  | 'auth-failed'
  /** The adapter was closed, or its session cannot be used. */
  | 'closed'
  /** Anything else the server said no to. */
  | 'request-failed';

const DCS_ERROR_CODES: ReadonlySet<string> = new Set<DcsErrorCode>([
  'deadline-exceeded',
  'connection-failed',
  'server-unavailable',
  'auth-failed',
  'closed',
  'request-failed',
]);

/** The codes core may retry when an error does not say itself. */
function transientByDefault(code: DcsErrorCode): boolean {
  return code !== 'auth-failed' && code !== 'closed' && code !== 'request-failed';
}

/**
 * Marks a DcsError across copies of this package: `Symbol.for` is shared by every copy
 * loaded in the process, so an adapter that resolved its own `@pgwarden/core` still
 * makes errors core recognises.
 */
export const DCS_ERROR_BRAND: unique symbol = Symbol.for('pgwarden.dcs-error');

/**
 * A failure to talk to the DCS. `transient` marks what the retry policy may try again
 * (a dropped connection, a leader election in the DCS); the rest fail at once.
 *
 * Recognise one with `dcsErrorCode(e)` / `isTransientDcsError(e)`, not `instanceof`:
 * an adapter may bring a second copy of this class.
 */
export class DcsError extends PgwardenError {
  override readonly code: DcsErrorCode;
  readonly transient: boolean;
  readonly [DCS_ERROR_BRAND] = true;

  constructor(code: DcsErrorCode, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(code, message, options);
    this.code = code;
    this.transient = options?.transient ?? transientByDefault(code);
  }
}

/**
 * The DCS error code of `error`, whichever copy of pgwarden made it (or a plain object
 * with a DCS `code`); undefined when it is not a DCS error.
 */
export function dcsErrorCode(error: unknown): DcsErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (DCS_ERROR_CODES.has(code)) return code as DcsErrorCode;
  // A branded error from a newer copy may carry a code this copy does not know.
  return (error as { [DCS_ERROR_BRAND]?: unknown })[DCS_ERROR_BRAND] === true ? 'request-failed' : undefined;
}

/** Whether `error` is a DCS error the retry policy may try again: its own `transient`, else its code's default. */
export function isTransientDcsError(error: unknown): boolean {
  const code = dcsErrorCode(error);
  if (code === undefined) return false;
  const transient = (error as { transient?: unknown }).transient;
  return typeof transient === 'boolean' ? transient : transientByDefault(code);
}

/**
 * `error` as this copy's DcsError: itself when it already is one, a DcsError with the
 * same code, message and transience when another copy made it, undefined otherwise.
 */
export function toDcsError(error: unknown): DcsError | undefined {
  if (error instanceof DcsError) return error;
  const code = dcsErrorCode(error);
  if (code === undefined) return undefined;
  const message = (error as { message?: unknown }).message;
  return new DcsError(code, typeof message === 'string' ? message : code, { cause: error, transient: isTransientDcsError(error) });
}

/** A bad value in the configuration; `path` names the key (e.g. `etcd3.hosts[1]`). */
export class ConfigError extends PgwardenError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('invalid-config', issues.map(formatConfigIssue).join('\n'));
    this.issues = issues;
  }
}

export interface ConfigIssue {
  /** Dotted path of the key, as written in patroni.yml. */
  readonly path: string;
  /** The value found, already masked if it is a secret. */
  readonly value?: unknown;
  /** What is wrong and how to fix it. */
  readonly reason: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const shown = issue.value === undefined ? '' : ` = ${JSON.stringify(issue.value)}`;
  return `${issue.path}${shown}: ${issue.reason}`;
}
