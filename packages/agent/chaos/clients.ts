/**
 * The checker's clients: one loop per node, one connection each, reconnecting after any
 * failure. About every 100 ms each loop tries to INSERT a unique id; the reply carries
 * the server's WAL position and timeline, so every acknowledgement says where and on
 * which history it was committed. Only a plain successful reply counts as an ack: no
 * server-side statement_timeout (a cancelled wait for a synchronous standby still
 * reports success, with a warning), and a reply that came with such a warning is
 * logged apart and never counted.
 */
import pg from 'pg';
import { SUPERUSER, sleep } from '../test/e2e/cluster.js';
import { monoNow, type Ack } from '../test/e2e/writer.js';
import { PG_PORT } from './node-config.js';
import type { TrialLog } from './trial-log.js';

export const CHAOS_TABLE = 'chaos_writes';
const PERIOD_MS = 100;
const READ_ONLY = '25006';

/** An acknowledged commit: where, when (sent → acked, monotonic ms), on which timeline and WAL position. */
export interface ChaosAck extends Ack {
  readonly sentAt: number;
  readonly timeline: number;
  readonly lsn: bigint;
}

export interface WriteTarget {
  readonly name: string;
  readonly address: string;
}

export function parseLsn(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export async function connectTo(target: WriteTarget, timeoutMs = 1000): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.address,
    port: PG_PORT,
    user: SUPERUSER.username,
    password: SUPERUSER.password,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    discard(client);
    throw e;
  }
  return client;
}

export class ChaosClients {
  readonly acks: ChaosAck[] = [];
  /** Commits the server reported with a cancelled synchronous wait: not acknowledged. */
  readonly unreplicated: number[] = [];
  private nextId = 1;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly targets: readonly WriteTarget[],
    private readonly log: TrialLog,
    private readonly timeoutMs = 1000,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.targets.map((t) => this.loop(t));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.log.flush();
  }

  private async loop(target: WriteTarget): Promise<void> {
    let client: pg.Client | null = null;
    let warned = false;
    while (this.running) {
      const sentAt = monoNow();
      const id = this.nextId++;
      try {
        if (!client) {
          client = await connectTo(target, this.timeoutMs);
          client.on('notice', (n) => {
            if (/synchronous replication/i.test(n.message ?? '')) warned = true;
          });
        }
        warned = false;
        const r = await client.query<{ lsn: string; wal: string }>(
          `INSERT INTO ${CHAOS_TABLE} (id, node) VALUES ($1, $2) RETURNING pg_current_wal_lsn()::text AS lsn, pg_walfile_name(pg_current_wal_lsn()) AS wal`,
          [id, target.name],
        );
        const at = monoNow();
        const row = r.rows[0]!;
        if (warned) {
          this.unreplicated.push(id);
          this.log.write('unreplicated', { id, node: target.name });
        } else {
          const ack: ChaosAck = { id, node: target.name, at, sentAt, timeline: parseInt(row.wal.slice(0, 8), 16), lsn: parseLsn(row.lsn) };
          this.acks.push(ack);
          this.log.write('ack', { id, node: target.name, sent: round(this.log.since(sentAt)), at: round(this.log.since(at)), tl: ack.timeline, lsn: row.lsn });
        }
      } catch (error) {
        // A replica refusing the write keeps its session; anything else starts over.
        if ((error as { code?: string }).code !== READ_ONLY) {
          if (client) discard(client);
          client = null;
        }
      }
      await sleep(Math.max(0, PERIOD_MS - (monoNow() - sentAt)));
    }
    if (client) discard(client);
  }
}

/** Drops a session without waiting: a polite end() to a partitioned server would hang. */
export function discard(client: pg.Client): void {
  void client.end().catch(() => undefined);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
