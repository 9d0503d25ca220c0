/**
 * The application: inserts rows into the current primary, found through the DCS leader
 * key, and counts the inserts Postgres acknowledged. An insert that fails (no primary,
 * a read-only replica, a refused connection) was never committed, so it is not counted
 * and is simply retried — the client-side half of a failover.
 *
 * The demo never writes while it shuts a primary down on purpose (a switchover): a commit
 * in flight at that moment has an unknown outcome, and the demo's check is exact.
 */
import type pg from 'pg';
import { client, endpointOf, type PgEndpoint } from './sql.js';

export type LeaderEndpoint = () => Promise<{ name: string; endpoint: PgEndpoint } | null>;

export class Workload {
  acked = 0;
  private conn: { name: string; client: pg.Client } | null = null;

  constructor(private readonly leader: LeaderEndpoint) {}

  static connUrlEndpoint(connUrl: unknown): PgEndpoint | null {
    return typeof connUrl === 'string' ? endpointOf(connUrl) : null;
  }

  async createTable(): Promise<void> {
    await this.run('CREATE TABLE IF NOT EXISTS demo_rows (id bigserial PRIMARY KEY, phase text NOT NULL, node text NOT NULL, at timestamptz NOT NULL DEFAULT now())', []);
  }

  /** One insert; true when Postgres acknowledged the commit. */
  async insert(phase: string): Promise<{ ok: boolean; node?: string; error?: string }> {
    try {
      const node = await this.run('INSERT INTO demo_rows (phase, node) VALUES ($1, $2)', [phase], true);
      this.acked++;
      return { ok: true, node };
    } catch (e) {
      await this.disconnect();
      return { ok: false, error: (e as Error).message };
    }
  }

  /** `count` acknowledged inserts, retrying through brief unavailability. */
  async insertMany(phase: string, count: number, deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    let done = 0;
    let lastError = '';
    while (done < count) {
      const r = await this.insert(phase);
      if (r.ok) done++;
      else {
        lastError = r.error ?? '';
        if (Date.now() > until) throw new Error(`could not write ${count} rows within ${deadlineMs / 1000} s: ${lastError}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  }

  private async run(text: string, params: unknown[], withNode = false): Promise<string> {
    const c = await this.connection();
    await c.client.query(text, withNode ? [...params, c.name] : params);
    return c.name;
  }

  private async connection(): Promise<{ name: string; client: pg.Client }> {
    const target = await this.leader();
    if (!target) throw new Error('no leader in the DCS');
    if (this.conn && this.conn.name === target.name) return this.conn;
    await this.disconnect();
    const c = client(target.endpoint, 1000);
    c.on('error', () => undefined);
    await c.connect();
    this.conn = { name: target.name, client: c };
    return this.conn;
  }

  async disconnect(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    await c?.client.end().catch(() => undefined);
  }
}
