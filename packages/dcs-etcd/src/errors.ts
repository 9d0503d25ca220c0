/**
 * Gateway and connection errors as DcsErrors. etcd's gateway answers an error as JSON
 * with the gRPC status code; what Patroni retries (Unavailable, DeadlineExceeded,
 * FailedPrecondition, connection failures) is transient, refused credentials are not.
 */
import { DcsError } from '@pgwarden/core';
import { GatewayError, RequestTimeoutError } from './gateway.js';

/** gRPC status codes etcd puts in its error answers. */
const GRPC = {
  cancelled: 1,
  invalidArgument: 3,
  deadlineExceeded: 4,
  notFound: 5,
  permissionDenied: 7,
  resourceExhausted: 8,
  failedPrecondition: 9,
  unavailable: 14,
  unauthenticated: 16,
} as const;

/** Text of connection failures where the request never left (nothing was sent). */
const NOT_CONNECTED = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|connect ETIMEDOUT/i;
const AUTH_FAILED = /authentication failed/i;

export function isLeaseNotFound(error: unknown): boolean {
  return error instanceof Error && error.message.includes('requested lease not found');
}

/** True when the request certainly did not reach the server, so another endpoint may take it. */
export function isNotConnected(error: unknown): boolean {
  return error instanceof Error && !(error instanceof DcsError) && !(error instanceof GatewayError) && NOT_CONNECTED.test(describe(error));
}

/** An error's text; Node's AggregateError (a host name with several addresses) has only a code. */
function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (error.message) return error.message;
  return code ? `connect ${code}` : error.name;
}

/** The server refused our client certificate, or asked for one we did not send. */
const TLS_CLIENT_REFUSED = /alert bad certificate|alert certificate required|alert unknown ca|alert certificate unknown|alert handshake failure|SSL alert number (?:40|42|46|48|116)\b/i;
/** Our side did not accept the server's certificate. */
const TLS_SERVER_UNTRUSTED = /unable to verify|self[- ]signed certificate|unable to get (?:local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO_VERIFY/i;
/** TLS spoken to a plain server, or plain text to a TLS one. */
const TLS_MISMATCH = /wrong version number|packet length too long|HTTP request to an HTTPS server|unknown protocol/i;
const USER_EMPTY = /user name is empty/i;

/**
 * What to change in patroni.yml, for failures that are configuration problems (TLS
 * files, credentials): the transport's text alone ("SSL alert number 42") does not say. Never
 * includes a password.
 */
export function configHint(message: string, hasCredentials: boolean): string | null {
  if (TLS_CLIENT_REFUSED.test(message)) {
    return 'TLS handshake refused by the server: it requires a client certificate signed by a CA it trusts; set etcd3.cert and etcd3.key';
  }
  if (TLS_SERVER_UNTRUSTED.test(message)) {
    return "TLS: the server's certificate is not trusted; set etcd3.cacert to the CA that signed it (and check that the certificate names this host)";
  }
  if (TLS_MISMATCH.test(message)) {
    return 'the endpoint and etcd3.protocol disagree about TLS; set etcd3.protocol to https for an etcd serving TLS, http otherwise';
  }
  if (USER_EMPTY.test(message) && !hasCredentials) {
    return 'etcd has authentication enabled; set etcd3.username and etcd3.password';
  }
  return null;
}

export function toDcsError(error: unknown, endpoint: string, what: string, hasCredentials = false): DcsError {
  if (error instanceof DcsError) return error;
  const message = error instanceof Error ? describe(error) : String(error);
  const hint = configHint(message, hasCredentials);
  const text = `etcd ${what} at ${endpoint}: ${message}${hint ? ` (${hint})` : ''}`;
  const options = { cause: error };
  const transient = (code: 'deadline-exceeded' | 'connection-failed' | 'server-unavailable'): DcsError => new DcsError(code, text, { ...options, transient: true });
  if (error instanceof RequestTimeoutError) return transient('deadline-exceeded');
  if (!(error instanceof GatewayError)) {
    // A socket or TLS failure before etcd answered: the server may be back on the next try.
    return transient('connection-failed');
  }
  const code = error.grpcCode;
  if (code === GRPC.unauthenticated || code === GRPC.permissionDenied || (code === GRPC.invalidArgument && AUTH_FAILED.test(message))) {
    const names = AUTH_FAILED.test(message)
      ? ' (authentication failed: check etcd3.username and etcd3.password)'
      : ` (authentication/permission refused for etcd3.username${hasCredentials ? '' : ', which is not set'}; check etcd3.username and etcd3.password and the user's role)`;
    return new DcsError('auth-failed', `${text}${names}`, { ...options, transient: false });
  }
  if (USER_EMPTY.test(message) && !hasCredentials) return new DcsError('auth-failed', text, { ...options, transient: false });
  if (code === GRPC.deadlineExceeded) return transient('deadline-exceeded');
  if (code === GRPC.cancelled) return transient('connection-failed');
  if (code === GRPC.unavailable || code === GRPC.failedPrecondition || code === GRPC.resourceExhausted) return transient('server-unavailable');
  // Not etcd's JSON: a proxy or server in trouble (5xx), or plain HTTP spoken to a TLS port.
  if (code === null && (error.httpStatus >= 500 || TLS_MISMATCH.test(message))) return transient('server-unavailable');
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
