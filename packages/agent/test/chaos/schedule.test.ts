/** A chaos trial is replayable: its fault schedule is a pure function of the seed. */
import { describe, expect, it } from 'vitest';
import { parseChaosArgs } from '../../chaos/args.js';
import { FAULT_KINDS, faultChannel, planFaults } from '../../chaos/schedule.js';

const options = (seed: number) => ({ seed, faultPhaseMs: 60_000, nodes: 3, etcdMembers: 3 });

describe('chaos fault schedule', () => {
  it('the same seed gives the same schedule; another seed another one', () => {
    expect(planFaults(options(42))).toEqual(planFaults(options(42)));
    expect(planFaults(options(42))).not.toEqual(planFaults(options(43)));
  });

  it('every fault heals within the fault phase; at most two at once, from different channels', () => {
    let overlaps = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const plan = planFaults(options(seed));
      expect(plan.length).toBeGreaterThan(0);
      for (const [i, f] of plan.entries()) {
        expect(f.atMs + f.durationMs).toBeLessThanOrEqual(60_000);
        const during = plan.filter((g, j) => j !== i && g.atMs < f.atMs + f.durationMs && f.atMs < g.atMs + g.durationMs);
        expect(during.length).toBeLessThanOrEqual(1);
        for (const g of during) expect(faultChannel(g.kind)).not.toBe(faultChannel(f.kind));
        if (during.length && i < plan.indexOf(during[0]!)) overlaps++;
      }
    }
    // Roughly one fault in four (of those long enough) is joined by another.
    expect(overlaps).toBeGreaterThan(50);
  });

  it('a clock jump moves the clock by seconds to hours, either way', () => {
    const jumps = Array.from({ length: 300 }, (_, s) => planFaults(options(s)))
      .flat()
      .filter((f) => f.kind === 'clock-jump')
      .map((f) => f.clockJumpSeconds!);
    expect(jumps.some((j) => j < 0) && jumps.some((j) => j > 0)).toBe(true);
    for (const j of jumps) expect(Math.abs(j)).toBeGreaterThanOrEqual(5);
  });

  it('over many seeds every kind of fault is drawn', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, s) => planFaults(options(s)).map((f) => f.kind)).flat());
    expect([...seen].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('options are validated with messages that name the flag', () => {
    expect(parseChaosArgs(['--trials', '3', '--seed', '7', '--mode', 'quorum']).seed).toBe(7);
    expect(() => parseChaosArgs(['--mode', 'sync'])).toThrow(/--mode must be one of async, on, strict, quorum, all/);
    expect(() => parseChaosArgs(['--trials', '-1'])).toThrow(/--trials needs a non-negative integer/);
    expect(() => parseChaosArgs(['--bogus'])).toThrow(/unknown option '--bogus'/);
  });
});
