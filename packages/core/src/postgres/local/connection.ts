import pg from 'pg';
import type { LibpqClientSettings } from './client-settings.js';
import { mayTryNextAttempt, nodePgTls } from './pg-tls.js';

/**
 * Where and as whom the controller connects: its own Postgres (Unix socket) or the
 * leader (TCP). `settings` are the role's libpq settings (sslmode, sslcert…), honoured
 * on TCP; `settingsKey` names them in errors (`postgresql.authentication.rewind`).
 */
export interface LocalConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database?: string;
  readonly settings?: LibpqClientSettings;
  readonly settingsKey?: string;
}

export interface ConnectOptions {
  readonly connectTimeoutMs?: number;
  /** statement_timeout in ms; 0 = none (CHECKPOINT, rewind checks). */
  readonly statementTimeoutMs?: number;
  readonly replication?: boolean;
  readonly applicationName?: string;
}

/**
 * The client settings every session uses (Patroni: connect_timeout=3, statement_timeout=2000
 * ms), one per attempt: libpq's sslmode=prefer tries TLS, then plain (pg-tls.ts).
 */
export function clientConfigs(target: LocalConnectionTarget, opts: ConnectOptions): pg.ClientConfig[] {
  const tls = nodePgTls(target.settings, target.host, target.settingsKey ?? 'postgresql.authentication');
  return tls.attempts.map((ssl) => ({
    ...baseConfig(target, opts),
    ssl,
    ...(tls.enableChannelBinding && ssl !== false ? { enableChannelBinding: true } : {}),
  }));
}

/** The first attempt only: for sessions over the Unix socket, where there is one. */
export function clientConfig(target: LocalConnectionTarget, opts: ConnectOptions): pg.ClientConfig {
  return clientConfigs(target, opts)[0]!;
}

function baseConfig(target: LocalConnectionTarget, opts: ConnectOptions): pg.ClientConfig {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    ...(target.password !== undefined ? { password: target.password } : {}),
    database: target.database ?? 'postgres',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 3000,
    // A walsender takes no statement_timeout; everything else gets a short one.
    ...(opts.replication ? {} : { statement_timeout: opts.statementTimeoutMs ?? 2000 }),
    application_name: opts.applicationName ?? 'pgwarden',
    ...(opts.replication ? { replication: 'true' } : {}),
  } as pg.ClientConfig;
}

/**
 * One short-lived client: connect with a short timeout (Patroni: connect_timeout=3,
 * statement_timeout=2000 ms), run, close. Failures are returned to the caller as errors
 * with the server's SQLSTATE in `code` when there is one.
 */
export async function withClient<T>(
  target: LocalConnectionTarget,
  opts: ConnectOptions,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const configs = clientConfigs(target, opts);
  for (let i = 0; ; i++) {
    const client = new pg.Client(configs[i]);
    client.on('error', () => undefined);
    try {
      try {
        await client.connect();
      } catch (e) {
        if (i + 1 < configs.length && mayTryNextAttempt(e)) continue;
        throw e;
      }
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** SQLSTATE of a pg error, or a Node error code (ECONNREFUSED, ENOENT). */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
