/** A chaos trial is replayable: its fault schedule is a pure function of the seed. */
import { describe, expect, it } from 'vitest';
import { parseChaosArgs } from '../../chaos/args.js';
import { FAULT_KINDS, planFaults } from '../../chaos/schedule.js';

const options = (seed: number) => ({ seed, faultPhaseMs: 60_000, nodes: 3, etcdMembers: 3 });

describe('chaos fault schedule', () => {
  it('the same seed gives the same schedule; another seed another one', () => {
    expect(planFaults(options(42))).toEqual(planFaults(options(42)));
    expect(planFaults(options(42))).not.toEqual(planFaults(options(43)));
  });

  it('every fault heals within the fault phase, one after another', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const plan = planFaults(options(seed));
      expect(plan.length).toBeGreaterThan(0);
      let end = 0;
      for (const f of plan) {
        expect(f.atMs).toBeGreaterThanOrEqual(end);
        end = f.atMs + f.durationMs;
        expect(end).toBeLessThanOrEqual(60_000);
      }
    }
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
