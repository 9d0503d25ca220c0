/**
 * The verdict on one trial's acknowledgements, a pure function of the ack log and the
 * ids found on the final primary.
 *
 * Two writers. Every ack carries the timeline its commit was written on. A clean history
 * has one node per timeline and timelines that only move forward: once a commit on
 * timeline t is acknowledged, no commit on an older timeline may be acknowledged after
 * it. Each handover (timeline t → the next one seen) is also measured with the e2e
 * suite's `twoWriters` (overlap and interleaving of the two nodes' spans).
 *
 * Loss. Acknowledged ids missing from the final primary. In synchronous modes any loss
 * is a violation; in async mode the lost commits' WAL span is compared with
 * `maximum_lag_on_failover`, the most an async failover is allowed to drop.
 */
import { twoWriters } from '../test/e2e/writer.js';
import type { ChaosAck } from './clients.js';
import type { SyncMode } from './node-config.js';

export interface WriterInterval {
  /** e.g. `node1/node2`. */
  readonly pair: string;
  readonly fromTimeline: number;
  readonly toTimeline: number;
  /** Monotonic ms of the first and last ack of the two timelines. */
  readonly from: number;
  readonly to: number;
  readonly overlapMs: number;
  readonly interleaved: number;
}

export interface Verdict {
  readonly acks: number;
  readonly acksPerNode: Record<string, number>;
  readonly timelines: readonly number[];
  /** Handovers where two nodes accepted writes at once. */
  readonly twoWriterIntervals: readonly WriterInterval[];
  /** Acks on a timeline older than one already acknowledged, or a timeline written by two nodes. */
  readonly staleAcks: readonly { id: number; node: string; timeline: number; newerTimeline: number }[];
  readonly lostIds: readonly number[];
  /** WAL bytes spanned by the lost commits (0 when none). */
  readonly lostWalBytes: number;
  readonly maximumLagOnFailover: number;
  readonly violations: readonly string[];
}

export interface CheckInput {
  readonly acks: readonly ChaosAck[];
  /** The acknowledged ids present on the final primary. */
  readonly presentIds: ReadonlySet<number>;
  readonly mode: SyncMode;
  readonly maximumLagOnFailover: number;
}

function staleAcks(sorted: readonly ChaosAck[]): Verdict['staleAcks'] {
  const out: { id: number; node: string; timeline: number; newerTimeline: number }[] = [];
  const owner = new Map<number, string>();
  for (const a of sorted) {
    const first = owner.get(a.timeline);
    if (first === undefined) owner.set(a.timeline, a.node);
    else if (first !== a.node) out.push({ id: a.id, node: a.node, timeline: a.timeline, newerTimeline: a.timeline });
    // Proven stale: a newer timeline's commit was acknowledged before this one was even sent.
    const newer = sorted.find((b) => b.at < a.sentAt && b.timeline > a.timeline);
    if (newer) out.push({ id: a.id, node: a.node, timeline: a.timeline, newerTimeline: newer.timeline });
  }
  return out;
}

function handovers(sorted: readonly ChaosAck[]): WriterInterval[] {
  const order: number[] = [];
  for (const a of sorted) if (!order.includes(a.timeline)) order.push(a.timeline);
  const out: WriterInterval[] = [];
  for (let i = 0; i + 1 < order.length; i++) {
    const pairAcks = sorted.filter((a) => a.timeline === order[i] || a.timeline === order[i + 1]);
    const w = twoWriters(pairAcks);
    if (w.overlapMs > 0 || w.interleaved > 0) {
      out.push({
        pair: w.pair ?? '?',
        fromTimeline: order[i]!,
        toTimeline: order[i + 1]!,
        from: pairAcks[0]!.at,
        to: pairAcks[pairAcks.length - 1]!.at,
        overlapMs: w.overlapMs,
        interleaved: w.interleaved,
      });
    }
  }
  return out;
}

export function checkTrial(input: CheckInput): Verdict {
  const sorted = [...input.acks].sort((a, b) => a.at - b.at);
  const acksPerNode: Record<string, number> = {};
  for (const a of sorted) acksPerNode[a.node] = (acksPerNode[a.node] ?? 0) + 1;
  const lost = sorted.filter((a) => !input.presentIds.has(a.id));
  const lostWalBytes = lost.length === 0 ? 0 : Number(lost.reduce((m, a) => (a.lsn > m ? a.lsn : m), 0n) - lost.reduce((m, a) => (a.lsn < m ? a.lsn : m), lost[0]!.lsn)) + 1;
  const twoWriterIntervals = handovers(sorted);
  const stale = staleAcks(sorted);
  const violations: string[] = [];
  for (const w of twoWriterIntervals) {
    violations.push(`two writers ${w.pair} between timelines ${w.fromTimeline} and ${w.toTimeline}: overlap ${w.overlapMs.toFixed(0)} ms, ${w.interleaved} interleaved acks`);
  }
  if (stale.length) violations.push(`${stale.length} acks on a stale timeline (first: id ${stale[0]!.id} on ${stale[0]!.node}, timeline ${stale[0]!.timeline} after ${stale[0]!.newerTimeline})`);
  if (lost.length && input.mode !== 'async') violations.push(`${lost.length} acknowledged commits lost in synchronous mode ${input.mode} (ids ${lost.slice(0, 10).map((a) => a.id).join(', ')}${lost.length > 10 ? ', …' : ''})`);
  if (lost.length && input.mode === 'async' && lostWalBytes > input.maximumLagOnFailover) {
    violations.push(`${lost.length} acknowledged commits lost spanning ${lostWalBytes} bytes of WAL, more than maximum_lag_on_failover (${input.maximumLagOnFailover})`);
  }
  return {
    acks: sorted.length,
    acksPerNode,
    timelines: [...new Set(sorted.map((a) => a.timeline))],
    twoWriterIntervals,
    staleAcks: stale,
    lostIds: lost.map((a) => a.id),
    lostWalBytes,
    maximumLagOnFailover: input.maximumLagOnFailover,
    violations,
  };
}
