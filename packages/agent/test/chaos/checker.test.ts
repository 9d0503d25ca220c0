/**
 * The chaos checker must catch what it exists to catch: hand-made ack logs with two
 * writers at once, a stale primary acknowledging after a newer timeline, a timeline
 * written by two nodes, and acknowledged ids missing from the final primary.
 */
import { describe, expect, it } from 'vitest';
import { checkTrial } from '../../chaos/checker.js';
import type { ChaosAck } from '../../chaos/clients.js';

let nextLsn = 0x5000000n;
function ack(id: number, node: string, at: number, timeline: number): ChaosAck {
  nextLsn += 0x100n;
  return { id, node, at, sentAt: at - 5, timeline, lsn: nextLsn };
}

/** node1 writes on timeline 1, a failover, node2 writes on timeline 2. */
function cleanHandover(): ChaosAck[] {
  const acks: ChaosAck[] = [];
  for (let i = 0; i < 20; i++) acks.push(ack(i + 1, 'node1', 100 * i, 1));
  for (let i = 0; i < 20; i++) acks.push(ack(i + 21, 'node2', 5000 + 100 * i, 2));
  return acks;
}
const all = (acks: readonly ChaosAck[]): Set<number> => new Set(acks.map((a) => a.id));
const MAX_LAG = 1_048_576;

describe('chaos checker', () => {
  it('passes a clean failover in every mode', () => {
    const acks = cleanHandover();
    for (const mode of ['async', 'on', 'strict', 'quorum'] as const) {
      const v = checkTrial({ acks, presentIds: all(acks), mode, maximumLagOnFailover: MAX_LAG });
      expect(v.violations).toEqual([]);
      expect(v.timelines).toEqual([1, 2]);
    }
  });

  it('reports two nodes acknowledging writes at the same time', () => {
    const acks = cleanHandover();
    // The old primary keeps acknowledging after the new one started.
    acks.push(ack(99, 'node1', 5550, 1), ack(100, 'node1', 6050, 1));
    const v = checkTrial({ acks, presentIds: all(acks), mode: 'async', maximumLagOnFailover: MAX_LAG });
    expect(v.twoWriterIntervals).toHaveLength(1);
    expect(v.twoWriterIntervals[0]).toMatchObject({ pair: 'node1/node2', fromTimeline: 1, toTimeline: 2 });
    expect(v.twoWriterIntervals[0]!.interleaved).toBeGreaterThan(0);
    expect(v.staleAcks.map((s) => s.id)).toEqual([99, 100]);
    expect(v.violations.join('\n')).toMatch(/two writers node1\/node2/);
  });

  it('reports two nodes writing on one timeline', () => {
    const acks = [ack(1, 'node1', 0, 3), ack(2, 'node1', 100, 3), ack(3, 'node2', 9000, 3)];
    const v = checkTrial({ acks, presentIds: all(acks), mode: 'on', maximumLagOnFailover: MAX_LAG });
    expect(v.staleAcks).toEqual([{ id: 3, node: 'node2', timeline: 3, newerTimeline: 3 }]);
    expect(v.violations).toHaveLength(1);
  });

  it('any acknowledged id missing from the final primary is a violation in synchronous modes', () => {
    const acks = cleanHandover();
    const present = all(acks);
    present.delete(20);
    for (const mode of ['on', 'strict', 'quorum'] as const) {
      const v = checkTrial({ acks, presentIds: present, mode, maximumLagOnFailover: MAX_LAG });
      expect(v.lostIds).toEqual([20]);
      expect(v.violations.join('\n')).toMatch(new RegExp(`1 acknowledged commits lost in synchronous mode ${mode} \\(ids 20\\)`));
    }
  });

  it('async loss is measured against maximum_lag_on_failover', () => {
    const acks = cleanHandover();
    const present = all(acks);
    present.delete(19);
    present.delete(20);
    const within = checkTrial({ acks, presentIds: present, mode: 'async', maximumLagOnFailover: MAX_LAG });
    expect(within.lostIds).toEqual([19, 20]);
    expect(within.lostWalBytes).toBe(0x101);
    expect(within.violations).toEqual([]);
    const beyond = checkTrial({ acks, presentIds: present, mode: 'async', maximumLagOnFailover: 0x80 });
    expect(beyond.violations.join('\n')).toMatch(/more than maximum_lag_on_failover \(128\)/);
  });
});
