/**
 * ZooKeeper failures as core's DcsError. The ZooKeeper result code stays on the error
 * (`zkCode`) because callers branch on it: NODE_EXISTS means "someone holds the lock",
 * BAD_VERSION means "CAS mismatch" — outcomes, not failures.
 */
import { DcsError, type DcsErrorCode } from '@pgwarden/core';
import { Exception } from 'node-zookeeper-client';

export class ZooKeeperRequestError extends DcsError {
  /** ZooKeeper's result code (`Exception.NO_NODE`, …). */
  readonly zkCode: number;
  /** The znode the request was about. */
  readonly path: string;

  constructor(zkCode: number, what: string, path: string, cause: unknown) {
    const name = zkName(cause) ?? `code ${zkCode}`;
    super(categorize(zkCode), `ZooKeeper ${what} ${path} failed: ${name}`, { cause });
    this.zkCode = zkCode;
    this.path = path;
  }
}

/** The ZooKeeper result code carried by a library exception, or null for anything else. */
export function zkCodeOf(error: unknown): number | null {
  if (error instanceof ZooKeeperRequestError) return error.zkCode;
  if (typeof error === 'object' && error !== null && typeof (error as { getCode?: unknown }).getCode === 'function') {
    const code = (error as { getCode(): unknown }).getCode();
    return typeof code === 'number' ? code : null;
  }
  return null;
}

export function hasZkCode(error: unknown, code: number): boolean {
  return zkCodeOf(error) === code;
}

/** Wraps whatever a request failed with; library exceptions keep their code. */
export function toDcsError(error: unknown, what: string, path: string): DcsError {
  if (error instanceof DcsError) return error;
  const code = zkCodeOf(error);
  if (code !== null) return new ZooKeeperRequestError(code, what, path, error);
  const message = error instanceof Error ? error.message : String(error);
  return new DcsError('request-failed', `ZooKeeper ${what} ${path} failed: ${message}`, { cause: error });
}

/** A request made while the client is not connected: fails at once, core may retry. */
export function notConnected(hosts: readonly string[], cause?: unknown): DcsError {
  return new DcsError('connection-failed', `not connected to ZooKeeper (${hosts.join(',')}); the client is reconnecting`, {
    cause,
    transient: true,
  });
}

export function aborted(what: string, reason: unknown): DcsError {
  return new DcsError('deadline-exceeded', `ZooKeeper ${what}: no answer before the deadline`, { cause: reason, transient: false });
}

function categorize(code: number): DcsErrorCode {
  switch (code) {
    case Exception.CONNECTION_LOSS:
    case Exception.OPERATION_TIMEOUT:
    case Exception.SESSION_EXPIRED:
      // Transient: the next attempt reconnects, or opens a new session.
      return 'connection-failed';
    case Exception.NO_AUTH:
    case Exception.AUTH_FAILED:
    case Exception.INVALID_ACL:
      return 'auth-failed';
    default:
      return 'request-failed';
  }
}

function zkName(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && typeof (error as { getName?: unknown }).getName === 'function') {
    const name = (error as { getName(): unknown }).getName();
    return typeof name === 'string' ? name : null;
  }
  return null;
}
