/**
 * gRPC and etcd errors as DcsErrors. What Patroni retries (Unavailable, DeadlineExceeded,
 * FailedPrecondition, connection failures) is transient; refused credentials are not.
 */
import { DcsError } from '@pgwarden/core';
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdLeaseInvalidError,
  EtcdPermissionDeniedError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCFailedPreconditionError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from 'etcd3';

/** Text grpc-js uses when no connection could be made, i.e. the request never left. */
const NOT_CONNECTED = /No connection established|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|connect ETIMEDOUT|Failed to connect/i;

export function isLeaseNotFound(error: unknown): boolean {
  return error instanceof EtcdLeaseInvalidError || (error instanceof Error && error.message.includes('requested lease not found'));
}

/** True when the request certainly did not reach the server, so another endpoint may take it. */
export function isNotConnected(error: unknown): boolean {
  return error instanceof Error && !(error instanceof DcsError) && NOT_CONNECTED.test(error.message);
}

export function toDcsError(error: unknown, endpoint: string, what: string): DcsError {
  if (error instanceof DcsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const text = `etcd ${what} at ${endpoint}: ${message}`;
  const options = { cause: error };
  if (error instanceof ClientClosedError) return new DcsError('closed', text, options);
  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError
  ) {
    return new DcsError('auth-failed', text, { ...options, transient: false });
  }
  if (error instanceof GRPCDeadlineExceededError) return new DcsError('deadline-exceeded', text, { ...options, transient: true });
  if (isNotConnected(error) || error instanceof GRPCCancelledError) {
    return new DcsError('connection-failed', text, { ...options, transient: true });
  }
  if (
    error instanceof GRPCUnavailableError ||
    error instanceof GRPCFailedPreconditionError ||
    error instanceof GRPCResourceExhastedError
  ) {
    return new DcsError('server-unavailable', text, { ...options, transient: true });
  }
  return new DcsError('request-failed', text, { ...options, transient: false });
}

export function deadlineError(what: string, endpoint: string, reason?: unknown): DcsError {
  return new DcsError('deadline-exceeded', `etcd ${what} at ${endpoint}: no answer before the deadline`, {
    cause: reason,
    transient: true,
  });
}
