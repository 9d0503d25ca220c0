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

/** The server refused our client certificate, or asked for one we did not send. */
const TLS_CLIENT_REFUSED = /alert bad certificate|alert certificate required|alert unknown ca|alert certificate unknown|alert handshake failure|SSL alert number (?:40|42|46|48|116)\b/i;
/** Our side did not accept the server's certificate. */
const TLS_SERVER_UNTRUSTED = /unable to verify|self[- ]signed certificate|unable to get (?:local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO_VERIFY/i;
/** TLS spoken to a plain server, or plain text to a TLS one. */
const TLS_MISMATCH = /wrong version number|packet length too long|http request|unknown protocol|Protocol error|Received RST_STREAM with code 1\b/i;
const USER_EMPTY = /user name is empty/i;

/**
 * What to change in patroni.yml, for failures that are configuration problems (TLS
 * files, credentials): the gRPC text alone ("SSL alert number 42") does not say. Never
 * includes a password.
 */
export function configHint(message: string, hasCredentials: boolean): string | null {
  if (TLS_CLIENT_REFUSED.test(message)) {
    return 'TLS handshake refused by the server: it requires a client certificate signed by a CA it trusts; set etcd3.cert and etcd3.key';
  }
  if (TLS_SERVER_UNTRUSTED.test(message)) {
    return "TLS: the server's certificate is not trusted; set etcd3.cacert to the CA that signed it (and check that the certificate names this host)";
  }
  if (USER_EMPTY.test(message) && !hasCredentials) {
    return 'etcd has authentication enabled; set etcd3.username and etcd3.password';
  }
  return null;
}

export function toDcsError(error: unknown, endpoint: string, what: string, hasCredentials = false): DcsError {
  if (error instanceof DcsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const hint = configHint(message, hasCredentials);
  const text = `etcd ${what} at ${endpoint}: ${message}${hint ? ` (${hint})` : ''}`;
  const options = { cause: error };
  if (error instanceof ClientClosedError) return new DcsError('closed', text, options);
  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError
  ) {
    const names =
      error instanceof EtcdAuthenticationFailedError
        ? ' (authentication failed: check etcd3.username and etcd3.password)'
        : ` (authentication/permission refused for etcd3.username${hasCredentials ? '' : ', which is not set'}; check etcd3.username and etcd3.password and the user's role)`;
    return new DcsError('auth-failed', `${text}${names}`, { ...options, transient: false });
  }
  if (USER_EMPTY.test(message) && !hasCredentials) {
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

/**
 * `failure` with the configuration hint an earlier attempt on the same endpoint gave,
 * when it has none of its own: under load a refused TLS handshake often shows up as a
 * deadline ("waiting for name resolution") on the retries, which hides what to fix.
 */
export function withEarlierHint(failure: DcsError, hint: string | null): DcsError {
  if (hint === null || failure.message.includes(hint)) return failure;
  return new DcsError(failure.code, `${failure.message} (an earlier attempt here failed: ${hint})`, { cause: failure.cause, transient: failure.transient });
}
