/** What the continuous writer proves at the end of a run: counts and the longest pause. */
import type { AgentNode } from '../cluster.js';
import { connect, missingOn, type Ack } from '../writer.js';

export interface WriteLogSummary {
  readonly acknowledged: number;
  readonly present: number;
  readonly missing: readonly number[];
  /** The longest time between two consecutive acknowledged commits, in ms. */
  readonly longestGapMs: number;
}

export function longestGapMs(acks: readonly Ack[]): number {
  const times = acks.map((a) => a.at).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

/** Compares every acknowledged commit with the rows on `primary`. */
export async function summarize(primary: AgentNode, table: string, acks: readonly Ack[]): Promise<WriteLogSummary> {
  const missing = await missingOn(primary, table, acks);
  const c = await connect(primary, 10_000);
  try {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return { acknowledged: acks.length, present: Number(r.rows[0]?.n ?? 0), missing, longestGapMs: longestGapMs(acks) };
  } finally {
    await c.end().catch(() => undefined);
  }
}

export function formatSummary(s: WriteLogSummary): string {
  return `write log: ${s.acknowledged} rows acknowledged, ${s.present} rows present on the final primary, ${s.missing.length} lost, longest gap ${(s.longestGapMs / 1000).toFixed(2)} s`;
}
