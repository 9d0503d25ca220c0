import pg from 'pg';

/** Where and as whom the controller connects to its own Postgres (Unix socket). */
export interface LocalConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database?: string;
}

export interface ConnectOptions {
  readonly connectTimeoutMs?: number;
  /** statement_timeout in ms; 0 = none (CHECKPOINT, rewind checks). */
  readonly statementTimeoutMs?: number;
  readonly replication?: boolean;
  readonly applicationName?: string;
}

/** The client settings every local session uses (Patroni: connect_timeout=3, statement_timeout=2000 ms). */
export function clientConfig(target: LocalConnectionTarget, opts: ConnectOptions): pg.ClientConfig {
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
  const client = new pg.Client(clientConfig(target, opts));
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** SQLSTATE of a pg error, or a Node error code (ECONNREFUSED, ENOENT). */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
