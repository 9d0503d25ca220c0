/**
 * ioredis clients for the adapter, set up so that no call can outlive its deadline and
 * nothing is retried behind core's back: no offline queue (a call while disconnected
 * fails at once), no resending of unanswered commands after a reconnect, and a READONLY
 * answer (we reached a demoted master during a Sentinel failover) drops the connection
 * so the next one asks the sentinels for the new master.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { DcsError, type DcsCallContext } from '@pgwarden/core';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSection } from './config.js';
import { describeTopology } from './config.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** A Redis client with the adapter's scripts defined on it. */
export type ScriptedRedis = Redis & {
  [K in ScriptName]: (...args: (string | number)[]) => Promise<unknown>;
};

/** Reconnect quickly at first, never slower than every 500 ms: a failover should be noticed soon. */
function reconnectDelay(attempt: number): number {
  return Math.min(50 * attempt, 500);
}

function tlsOptions(section: RedisSection): ConnectionOptions | undefined {
  const tls = section.tls;
  if (!tls) return undefined;
  const read = (path: string, key: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new DcsError('request-failed', `redis.${key}: cannot read ${path} (${(error as Error).message}); fix the path or the file's permissions`, {
        cause: error,
        transient: false,
      });
    }
  };
  return {
    rejectUnauthorized: tls.verify,
    ...(tls.cacert !== undefined && { ca: read(tls.cacert, 'cacert') }),
    ...(tls.cert !== undefined && { cert: read(tls.cert, 'cert') }),
    ...(tls.key !== undefined && { key: read(tls.key, 'key') }),
  };
}

export interface ClientSettings {
  readonly section: RedisSection;
  /** Bounds connecting (TCP + TLS + AUTH) of every attempt. */
  readonly connectTimeoutMs: number;
  readonly connectionName: string;
}

export function redisOptions(settings: ClientSettings): RedisOptions {
  const { section } = settings;
  const tls = tlsOptions(section);
  const common: RedisOptions = {
    db: section.db,
    ...(section.username !== undefined && { username: section.username }),
    ...(section.password !== undefined && { password: section.password }),
    ...(tls !== undefined && { tls }),
    connectionName: settings.connectionName,
    connectTimeout: settings.connectTimeoutMs,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelay,
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
  };
  if (section.topology.kind === 'standalone') {
    return { ...common, host: section.topology.host.host, port: section.topology.host.port };
  }
  return {
    ...common,
    name: section.topology.master,
    sentinels: section.topology.sentinels.map((s) => ({ host: s.host, port: s.port })),
    sentinelRetryStrategy: reconnectDelay,
    sentinelCommandTimeout: settings.connectTimeoutMs,
    // Sentinels announce a new master on +switch-master: reconnect at once instead of
    // waiting to be told READONLY.
    failoverDetector: true,
    ...(tls !== undefined && { enableTLSForSentinelMode: true, sentinelTLS: tls }),
  };
}

/** `overrides` for a client's own needs (the watch's subscriber resubscribes by itself). */
export function createClient(settings: ClientSettings, overrides: Partial<RedisOptions> = {}): ScriptedRedis {
  const client = new Redis({ ...redisOptions(settings), ...overrides });
  for (const [name, script] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  // Errors also reach the caller of each command; an unhandled 'error' event would crash.
  client.on('error', () => undefined);
  return client as ScriptedRedis;
}

const NOT_CONNECTED = /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE|All sentinels are unreachable|connect ETIMEDOUT|READONLY|LOADING|MASTERDOWN|TRYAGAIN/;
const AUTH = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password/i;

/** Our side does not trust the server's certificate. */
const TLS_SERVER_UNTRUSTED = /unable to verify|self[- ]signed certificate|unable to get (?:local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match|ERR_TLS_CERT/i;
/** The server refused our certificate, or wanted one we did not send. */
const TLS_CLIENT_REFUSED = /alert bad certificate|alert certificate required|alert unknown ca|alert handshake failure|SSL alert number (?:40|42|46|48|116)\b/i;

/** What to change in patroni.yml for TLS failures; the TLS text alone does not say. */
function tlsHint(message: string): string | null {
  if (TLS_SERVER_UNTRUSTED.test(message)) {
    return "TLS: the server's certificate is not trusted; set redis.cacert to the CA that signed it (and check that the certificate names this host)";
  }
  if (TLS_CLIENT_REFUSED.test(message)) {
    return 'TLS handshake refused by the server: it requires a client certificate signed by a CA it trusts; set redis.cert and redis.key';
  }
  return null;
}

export function toDcsError(error: unknown, what: string, where: string): DcsError {
  if (error instanceof DcsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const hint = tlsHint(message);
  const text = `redis ${what} at ${where}: ${message}${hint ? ` (${hint})` : ''}`;
  if (hint) return new DcsError('request-failed', text, { cause: error, transient: false });
  if (AUTH.test(message)) {
    return new DcsError('auth-failed', `${text} (check redis.username and redis.password, and the user's ACL)`, { cause: error, transient: false });
  }
  if (NOT_CONNECTED.test(message)) return new DcsError('connection-failed', text, { cause: error, transient: true });
  return new DcsError('request-failed', text, { cause: error, transient: false });
}

/**
 * Runs one Redis request under the call's deadline. The command may still reach a
 * frozen server later; the caller has been told `unavailable` by then, and whatever the
 * command did is bound by the same ttl as any other write.
 */
export async function withDeadline<T>(ctx: DcsCallContext, what: string, section: RedisSection, request: () => Promise<T>): Promise<T> {
  const where = describeTopology(section.topology);
  if (ctx.signal.aborted) throw deadlineError(what, where);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(deadlineError(what, where));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([request(), aborted]);
  } catch (error) {
    throw toDcsError(error, what, where);
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

function deadlineError(what: string, where: string): DcsError {
  return new DcsError('deadline-exceeded', `redis ${what} at ${where}: no answer before the deadline`, { transient: true });
}
