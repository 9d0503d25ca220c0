/**
 * Runs a range of seeds and fails with the replayable report of the first failing one.
 * The CI set (2,000 seeds of the real engine) is split over eight files so
 * vitest runs them on every core; CI_SETS lists them all in one place.
 */
import { describe, expect, it } from 'vitest';
import { ALL_FAULT_KINDS } from '../../sim/faults.js';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { quorumEngineAgent } from '../../sim/quorum-check.js';
import { formatFailure, MIN_DURATION_MS, runSimulation, type SimulationOptions } from '../../sim/runner.js';

export async function runSeeds(from: number, count: number, options: Omit<SimulationOptions, 'seed'>, flag: string) {
  const kinds = new Set<string>();
  let syncAcked = 0;
  let fenceCovered = 0;
  let tagged = 0;
  let faults = 0;
  const started = performance.now(); // wall time, only for the seeds/s line
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSimulation({ ...options, seed });
    const tags = r.stats.nofailover.length ? ` --nofailover ${r.stats.nofailover.join(',')}` : '';
    const replay = `cd packages/core && npx tsup --config sim/tsup.config.ts && node sim/dist/cli.js --seed ${seed}${flag}${tags} --duration ${(options.durationMs ?? 360_000) / 1000} --verbose`;
    if (!r.ok) expect.fail(formatFailure(r, replay));
    expect(r.schedule.length).toBeGreaterThanOrEqual(2);
    expect(r.stats.virtualMs).toBeGreaterThanOrEqual(options.durationMs ?? MIN_DURATION_MS);
    // The engine agent arms the fence by default: it fires at the lease deadline itself,
    // so no instant may be left for a fence to cover.
    expect(r.stats.fenceCoveredInstants, `seed ${seed}: fence-covered instants with the fence armed\n${replay}`).toBe(0);
    for (const s of r.schedule) kinds.add(s.fault.kind);
    faults += r.schedule.length;
    syncAcked += r.stats.syncAcked;
    fenceCovered += r.stats.fenceCoveredInstants;
    if (r.stats.nofailover.length) tagged++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`seeds ${from}..${from + count - 1}${flag}: ${count} clean, ${faults} faults, ${tagged} with a nofailover node, ${syncAcked} sync-acked commits, ${fenceCovered} fence-covered instants; ${(count / seconds).toFixed(2)} seeds/s`);
  return { kinds, syncAcked, tagged };
}

/** The CI run: 2,000 seeds, the minimum virtual time each, a third with a nofailover node. */
export const CI_DURATION_MS = MIN_DURATION_MS;
/** Every invariant, replica-follows included (docs/simulation.md, "Invariants"). */
const CI_INVARIANTS = { replicasFollow: true } as const;
const strict = { dcsConfig: { synchronous_mode_strict: true } };
const base = { nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS };
const asyncRun = { agent: engineAgent(), ...base };
const strictRun = { agent: engineAgent(strict), synchronousMode: true, ...base };
/** One set per test file, so that vitest spreads them over every core. */
export const CI_SETS = {
  asyncA: { from: 1, count: 250, options: asyncRun, flag: '' },
  asyncB: { from: 251, count: 250, options: asyncRun, flag: '' },
  asyncC: { from: 501, count: 300, options: asyncRun, flag: '' },
  strictA: { from: 1001, count: 200, options: strictRun, flag: ' --strict' },
  strictB: { from: 1201, count: 200, options: strictRun, flag: ' --strict' },
  strictC: { from: 1401, count: 200, options: strictRun, flag: ' --strict' },
  sync: { from: 2001, count: 300, options: { agent: engineAgent(), synchronousMode: true, ...base }, flag: ' --sync' },
  quorum: { from: 1, count: 300, options: { agent: quorumEngineAgent(), synchronousMode: true, ...base }, flag: ' --quorum' },
} satisfies Record<string, { from: number; count: number; options: Omit<SimulationOptions, 'seed'>; flag: string }>;

/**
 * One CI set as a test: every invariant on every seed, every fault kind drawn, the
 * nofailover invariant exercised, and in synchronous modes commits really confirmed.
 */
export function describeCiSet(name: keyof typeof CI_SETS, title: string): void {
  const { from, count, options, flag } = CI_SETS[name];
  describe(title, () => {
    it(`keeps every invariant over seeds ${from}..${from + count - 1}${flag}`, async () => {
      const { kinds, tagged, syncAcked } = await runSeeds(from, count, options, flag);
      expect([...kinds].sort()).toEqual([...ALL_FAULT_KINDS].sort());
      expect(tagged).toBeGreaterThan(count / 5);
      if ('synchronousMode' in options) expect(syncAcked).toBeGreaterThan(count * 20);
    }, 900_000);
  });
}
