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

/**
 * A failure to talk to the DCS. `transient` marks what the retry policy may try again
 * (a dropped connection, a leader election in the DCS); the rest fail at once.
 */
export class DcsError extends PgwardenError {
  override readonly code: DcsErrorCode;
  readonly transient: boolean;

  constructor(code: DcsErrorCode, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(code, message, options);
    this.code = code;
    this.transient = options?.transient ?? (code !== 'auth-failed' && code !== 'closed' && code !== 'request-failed');
  }
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
