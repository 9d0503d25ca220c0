/**
 * The fencing proof's client (issue #8): about every 100 ms it attempts one INSERT on
 * EVERY node, each with a 1 s connect timeout and a 1 s statement_timeout, and records
 * which node acknowledged which commit, when (monotonic ms of this process), with a
 * unique id. Replicas refuse the INSERT (read-only); a node that is down refuses the
 * connection. Only acknowledged commits count.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { SUPERUSER, sleep, type AgentNode } from './cluster.js';

export interface Ack {
  readonly id: number;
  readonly node: string;
  /** performance.now() when the COMMIT's reply arrived. */
  readonly at: number;
}

const PERIOD_MS = 100;
const READ_ONLY = '25006';

export const monoNow = (): number => performance.now();

export class Writer {
  readonly acks: Ack[] = [];
  private nextId = 1;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly nodes: readonly AgentNode[],
    private readonly table: string,
  ) {}

  /** Creates the table on the primary; replicas get it by streaming. */
  static async createTable(primary: AgentNode, table: string): Promise<void> {
    const c = await connect(primary, 10_000);
    try {
      await c.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, node text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  start(): void {
    this.running = true;
    this.loops = this.nodes.map((n) => this.loop(n));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Acks in [from, to). */
  between(from: number, to = Infinity): Ack[] {
    return this.acks.filter((a) => a.at >= from && a.at < to);
  }

  private async loop(node: AgentNode): Promise<void> {
    let client: pg.Client | null = null;
    while (this.running) {
      const started = monoNow();
      const id = this.nextId++;
      try {
        client ??= await connect(node);
        await client.query(`INSERT INTO ${this.table} (id, node) VALUES ($1, $2)`, [id, node.name]);
        this.acks.push({ id, node: node.name, at: monoNow() });
      } catch (error) {
        // A replica refusing the write keeps its session; anything else starts over.
        if ((error as { code?: string }).code !== READ_ONLY) {
          await client?.end().catch(() => undefined);
          client = null;
        }
      }
      await sleep(Math.max(0, PERIOD_MS - (monoNow() - started)));
    }
    await client?.end().catch(() => undefined);
  }
}

/** A session with the proof's deadlines: 1 s to connect, 1 s per statement (server and client side). */
export async function connect(node: AgentNode, statementMs = 1000): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: node.pgPort,
    user: SUPERUSER.username,
    password: SUPERUSER.password,
    database: 'postgres',
    connectionTimeoutMillis: 1000,
    statement_timeout: statementMs,
    // A frozen server never answers: the client gives up too, a little after the server would.
    query_timeout: statementMs + 500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

/**
 * Two writers, defined precisely. Each node's write span is [its first ack, its last ack]
 * within the recording (one failover or switchover per recording). For each pair of
 * nodes, `overlapMs` is the length of the intersection of their spans, and `interleaved`
 * counts the acks of one node strictly inside the other's span, which catches even a
 * single stray commit (a zero-length span). A clean handover is all of X's acks, then
 * all of Y's: both are 0. The acks are timed by one clock (this process's), so spans of
 * different nodes compare directly.
 */
export interface TwoWriters {
  readonly overlapMs: number;
  readonly interleaved: number;
  readonly pair: string | null;
}

export function twoWriters(acks: readonly Ack[]): TwoWriters {
  const spans = new Map<string, { first: number; last: number }>();
  for (const a of acks) {
    const s = spans.get(a.node);
    spans.set(a.node, s ? { first: Math.min(s.first, a.at), last: Math.max(s.last, a.at) } : { first: a.at, last: a.at });
  }
  let overlapMs = 0;
  let interleaved = 0;
  let pair: string | null = null;
  const names = [...spans.keys()];
  for (const x of names) {
    for (const y of names) {
      if (x >= y) continue;
      const sx = spans.get(x)!;
      const sy = spans.get(y)!;
      const both = Math.min(sx.last, sy.last) - Math.max(sx.first, sy.first);
      const inside = acks.filter((a) => (a.node === x && a.at > sy.first && a.at < sy.last) || (a.node === y && a.at > sx.first && a.at < sx.last)).length;
      if (both > 0 || inside > 0) pair = `${x}/${y}`;
      overlapMs = Math.max(overlapMs, both);
      interleaved += inside;
    }
  }
  return { overlapMs, interleaved, pair };
}

/** Acks per node, e.g. {node1: 212, node2: 180}. */
export function perNode(acks: readonly Ack[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of acks) out[a.node] = (out[a.node] ?? 0) + 1;
  return out;
}

/** The acknowledged ids that `node` does not have. */
export async function missingOn(node: AgentNode, table: string, acks: readonly Ack[]): Promise<number[]> {
  const c = await connect(node, 10_000);
  try {
    const ids = acks.map((a) => a.id);
    const r = await c.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::bigint[])`, [ids]);
    const have = new Set(r.rows.map((row) => Number(row.id)));
    return ids.filter((id) => !have.has(id));
  } finally {
    await c.end().catch(() => undefined);
  }
}
