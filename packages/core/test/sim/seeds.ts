/** Runs a range of seeds and fails with the replayable report of the first failing one. */
import { expect } from 'vitest';
import { formatFailure, runSimulation, type SimulationOptions } from '../../sim/runner.js';

export async function runSeeds(from: number, count: number, options: Omit<SimulationOptions, 'seed'>, flag: string) {
  const kinds = new Set<string>();
  let syncAcked = 0;
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSimulation({ ...options, seed });
    const replay = `cd packages/core && npx tsup --config sim/tsup.config.ts && node sim/dist/cli.js --seed ${seed}${flag} --duration ${(options.durationMs ?? 0) / 1000} --verbose`;
    if (!r.ok) expect.fail(formatFailure(r, replay));
    for (const s of r.schedule) kinds.add(s.fault.kind);
    syncAcked += r.stats.syncAcked;
  }
  return { kinds, syncAcked };
}

