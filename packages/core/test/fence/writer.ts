import pg from 'pg';
import { SUPERUSER, type Node } from '../postgres/helpers.js';
import { monoNow } from './agent-process.js';

export interface WriteLog {
  /** Monotonic ms at which the last acknowledged commit returned, or null. */
  readonly lastOk: number | null;
  readonly ok: number;
  /** Attempts after the last success (each a fresh connection), all refused. */
  readonly refusedAfter: number;
}

/**
 * Commits one row every ~20 ms until `untilMono`, reconnecting after each failure, and
 * records when the last commit was acknowledged — the quantity issue #8 is about.
 */
export async function writeUntil(node: Node, untilMono: number, connected: pg.Client | null = null): Promise<WriteLog> {
  let client: pg.Client | null = connected;
  let lastOk: number | null = null;
  let ok = 0;
  let refusedAfter = 0;
  while (monoNow() < untilMono) {
    try {
      client ??= await connect(node);
      await client.query('INSERT INTO fence_writes (at) VALUES (now())');
      lastOk = monoNow();
      ok += 1;
      refusedAfter = 0;
    } catch {
      refusedAfter += 1;
      await client?.end().catch(() => undefined);
      client = null;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await client?.end().catch(() => undefined);
  return { lastOk, ok, refusedAfter };
}

/** A client whose backend already exists (a frozen postmaster could not fork one). */
export async function connect(node: Node): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: node.port, user: SUPERUSER.username, password: SUPERUSER.password, database: 'postgres', connectionTimeoutMillis: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}
