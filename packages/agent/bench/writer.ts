/**
 * A client that tries one INSERT on a node every ~20 ms, reconnecting whenever its
 * connection fails, and remembers when each attempt was acknowledged. One per node gives
 * "last write acknowledged on the old primary" and "first on the new" on the same clock.
 */
import pg from 'pg';
import type { AgentNode } from '../test/e2e/cluster.js';
import { connect } from '../test/e2e/writer.js';
import { now, sleep } from './clock.js';

export const WRITE_TABLE = 'bench_writes';
export const CREATE_WRITE_TABLE = `CREATE TABLE IF NOT EXISTS ${WRITE_TABLE}(id bigserial PRIMARY KEY, node text, at timestamptz DEFAULT clock_timestamp())`;

const INTERVAL_MS = 20;

export class Writer {
  /** Acknowledgement times (clock.now) of every successful INSERT. */
  readonly acks: number[] = [];
  /** For each ack, when the connection it came on was opened. */
  private readonly connectedAt: number[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(readonly node: AgentNode) {
    this.done = this.run();
  }

  /**
   * The first acknowledgement at or after `t`, or null. With `freshConnection`, only one
   * on a connection opened after `t`: a backend outlives a SIGKILLed postmaster long
   * enough to commit the INSERT already in flight, which is not "writable again".
   */
  firstAckAfter(t: number, freshConnection = false): number | null {
    const i = this.acks.findIndex((a, k) => a >= t && (!freshConnection || this.connectedAt[k]! >= t));
    return i < 0 ? null : this.acks[i]!;
  }

  /** The last acknowledgement before `t`, or null. */
  lastAckBefore(t: number): number | null {
    let found: number | null = null;
    for (const a of this.acks) if (a < t) found = a;
    return found;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    let client: pg.Client | null = null;
    let connectedAt = 0;
    while (!this.stopped) {
      const started = now();
      try {
        if (!client) {
          connectedAt = now();
          client = await connect(this.node);
        }
        await client.query(`INSERT INTO ${WRITE_TABLE}(node) VALUES ($1)`, [this.node.name]);
        this.acks.push(now());
        this.connectedAt.push(connectedAt);
      } catch {
        // Read-only replica, restarting or dead Postgres: drop the connection unless it is
        // a plain SQL error on a healthy one (a replica refusing the write keeps it).
        if (client && !(await alive(client))) {
          await client.end().catch(() => {});
          client = null;
        }
      }
      await sleep(Math.max(0, INTERVAL_MS - (now() - started)));
    }
    await client?.end().catch(() => {});
  }
}


async function alive(client: pg.Client): Promise<boolean> {
  try {
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** Starts a writer on each node; stop them all with `stopWriters`. */
export function startWriters(nodes: readonly AgentNode[]): Writer[] {
  return nodes.map((n) => new Writer(n));
}

export async function stopWriters(writers: readonly Writer[]): Promise<void> {
  await Promise.all(writers.map((w) => w.stop()));
}
