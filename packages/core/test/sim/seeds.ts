/**
 * Runs a range of seeds and fails with the replayable report of the first failing one.
 * The CI set (≥ 500 seeds of the real engine) is split over four files so
 * vitest runs them on both cores; CI_SETS lists them all in one place.
 */
import { expect } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
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

/** The CI run: 500 seeds, the minimum virtual time each, a third with a nofailover node. */
export const CI_DURATION_MS = MIN_DURATION_MS;
/** Every invariant, replica-follows included (docs/simulation.md, "Invariants"). */
const CI_INVARIANTS = { replicasFollow: true } as const;
const strict = { dcsConfig: { synchronous_mode_strict: true } };
export const CI_SETS = {
  asyncA: { from: 1, count: 130, options: { agent: engineAgent(), nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS }, flag: '' },
  asyncB: { from: 131, count: 120, options: { agent: engineAgent(), nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS }, flag: '' },
  strictA: { from: 1001, count: 130, options: { agent: engineAgent(strict), synchronousMode: true, nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS }, flag: ' --strict' },
  strictB: { from: 1131, count: 70, options: { agent: engineAgent(strict), synchronousMode: true, nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS }, flag: ' --strict' },
  sync: { from: 2001, count: 50, options: { agent: engineAgent(), synchronousMode: true, nofailover: 'draw' as const, durationMs: CI_DURATION_MS, invariants: CI_INVARIANTS }, flag: ' --sync' },
} satisfies Record<string, { from: number; count: number; options: Omit<SimulationOptions, 'seed'>; flag: string }>;
