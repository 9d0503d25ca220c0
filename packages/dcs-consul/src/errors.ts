import { DcsError } from '@pgwarden/core';

interface ResponseLike {
  readonly statusCode?: number;
  readonly message?: string;
  readonly code?: string;
  readonly isResponse?: boolean;
}

/** Consul's 500 answer when a session has ended (KV ?acquire). */
export function isInvalidSession(error: unknown): boolean {
  return status(error) === 500 && /^invalid session/i.test(message(error));
}

export function isInvalidSessionTtl(error: unknown): boolean {
  return status(error) === 500 && message(error).startsWith('Invalid Session TTL');
}

export function isNotFound(error: unknown): boolean {
  return status(error) === 404;
}

/**
 * Maps the client's errors to DcsError. Transient (retried by core): connection
 * failures, time-outs, and HTTP 500 other than session errors, as Patroni retries them.
 */
export function toDcsError(error: unknown, what: string, endpoint: string): DcsError {
  if (error instanceof DcsError) return error;
  const code = status(error);
  const text = `${what} at ${endpoint}: ${message(error)}`;
  if (code === 403 || code === 401) return new DcsError('auth-failed', `${text} (check consul.token)`, { cause: error });
  if (code !== undefined && code >= 500 && !isInvalidSession(error)) return new DcsError('server-unavailable', text, { cause: error, transient: true });
  if (code !== undefined) return new DcsError('request-failed', text, { cause: error });
  if (/timed out|timeout/i.test(message(error))) return new DcsError('deadline-exceeded', text, { cause: error, transient: true });
  if (/aborted/i.test(message(error))) return new DcsError('deadline-exceeded', text, { cause: error, transient: false });
  return new DcsError('connection-failed', text, { cause: error, transient: true });
}

function status(error: unknown): number | undefined {
  const e = error as ResponseLike | null;
  return e && e.isResponse ? e.statusCode : undefined;
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message || (error as ResponseLike).code || error.name;
  return String(error);
}
