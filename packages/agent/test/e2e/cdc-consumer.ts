/**
 * A change-data-capture consumer of the permanent logical slot `cdc` (plugin
 * test_decoding), as an application would run one: it reads through the slot on
 * whichever node is primary with pg_logical_slot_peek_changes, records each committed
 * transaction (its xid, commit LSN and the row ids it inserted), then confirms what it
 * has with pg_replication_slot_advance. A transaction it had already confirmed that comes
 * back is recorded as a repeat.
 */
import type pg from 'pg';
import type { AgentNode } from './cluster.js';
import { connect } from './writer.js';

export interface CdcTransaction {
  readonly node: string;
  readonly xid: number;
  /** End of the commit record: confirming it means the transaction is never sent again. */
  readonly commitLsn: number;
  readonly ids: readonly number[];
}

interface ChangeRow {
  lsn: string;
  xid: string;
  data: string;
}

function formatLsn(lsn: number): string {
  return `${Math.floor(lsn / 2 ** 32).toString(16).toUpperCase()}/${(lsn % 2 ** 32).toString(16).toUpperCase()}`;
}

export class CdcConsumer {
  /** Every transaction confirmed, in order. */
  readonly confirmed: CdcTransaction[] = [];
  /** Transactions delivered again after the consumer had confirmed them. */
  readonly repeats: CdcTransaction[] = [];
  /** The highest commit LSN confirmed. */
  confirmedLsn = 0;
  private readonly confirmedIds = new Set<number>();

  constructor(
    private readonly slot: string,
    private readonly table: string,
  ) {}

  ids(): Set<number> {
    return new Set(this.confirmedIds);
  }

  /** One read-and-confirm on `node`; returns how many transactions it confirmed. */
  async round(node: AgentNode): Promise<number> {
    const client = await connect(node, 10_000);
    try {
      return await this.readAndConfirm(client, node.name);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async readAndConfirm(client: pg.Client, nodeName: string): Promise<number> {
    const rows = (
      await client.query<ChangeRow>(
        `SELECT pg_wal_lsn_diff(lsn, '0/0')::text AS lsn, xid::text AS xid, data FROM pg_logical_slot_peek_changes($1, NULL, NULL)`,
        [this.slot],
      )
    ).rows;
    const insert = new RegExp(`^table public\\.${this.table}: INSERT: id\\[bigint\\]:(\\d+)`);
    const complete: CdcTransaction[] = [];
    let ids: number[] = [];
    for (const row of rows) {
      if (row.data.startsWith('BEGIN')) ids = [];
      const m = insert.exec(row.data);
      if (m) ids.push(Number(m[1]));
      if (row.data.startsWith('COMMIT')) complete.push({ node: nodeName, xid: Number(row.xid), commitLsn: Number(row.lsn), ids });
    }
    if (complete.length === 0) return 0;
    const last = complete[complete.length - 1]!.commitLsn;
    await client.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [this.slot, formatLsn(last)]);
    for (const txn of complete) {
      if (txn.ids.some((id) => this.confirmedIds.has(id))) this.repeats.push(txn);
      for (const id of txn.ids) this.confirmedIds.add(id);
      this.confirmed.push(txn);
    }
    this.confirmedLsn = Math.max(this.confirmedLsn, last);
    return complete.length;
  }
}
