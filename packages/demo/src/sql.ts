/** Short-lived client connections to a node's Postgres over TCP, as an application would make them. */
import pg from 'pg';
import { SUPERUSER } from './cluster-config.js';

export interface PgEndpoint {
  readonly host: string;
  readonly port: number;
}

/** `postgres://host:port/db` (a member key's conn_url) → host and port. */
export function endpointOf(connUrl: string): PgEndpoint | null {
  const m = /^postgres(?:ql)?:\/\/([^:/]+):(\d+)/.exec(connUrl);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export function client(ep: PgEndpoint, timeoutMs = 2000): pg.Client {
  return new pg.Client({
    host: ep.host,
    port: ep.port,
    user: SUPERUSER.username,
    password: SUPERUSER.password,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
  });
}

/** One query on a fresh connection. */
export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(ep: PgEndpoint, text: string, params: unknown[] = []): Promise<T[]> {
  const c = client(ep);
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}
