/**
 * The engine without the fence (its lease guard off), over a slice of the CI seeds: safety
 * then comes from the engine alone. What it cannot do is act while its agent is frozen
 * (SIGSTOP) or dead, so a run may fail only where a writable leader's agent was frozen or
 * dead past its lease (fence-covered instants > 0): every violation in a run without any
 * such instant is the engine's own. Longer sweeps: `node sim/dist/cli.js --seeds 1..250
 * --nofailover draw --duration 180 --no-fence` (docs/simulation.md).
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { formatFailure, runSimulation } from '../../sim/runner.js';
import { CI_DURATION_MS } from './seeds.js';

/** What a leader outliving its lease breaks (the split brain it leads to, or the lease itself). */
const LEASE_INVARIANTS = ['two-writers', 'writer-past-lease', 'writable-past-server-lease'];

const SLICES = [
  { from: 1, count: 20, flag: '', options: { agent: engineAgent({ fence: false }) } },
  { from: 1001, count: 10, flag: ' --strict', options: { agent: engineAgent({ fence: false, dcsConfig: { synchronous_mode_strict: true } }), synchronousMode: true } },
];

describe('the engine alone (no fence)', () => {
  it('fails only where a frozen or dead leader outlived its lease', async () => {
    const failed: string[] = [];
    let covered = 0;
    for (const slice of SLICES) {
      for (let seed = slice.from; seed < slice.from + slice.count; seed++) {
        const r = await runSimulation({ seed, nofailover: 'draw', durationMs: CI_DURATION_MS, ...slice.options });
        if (r.stats.fenceCoveredInstants > 0) covered++;
        if (r.ok) continue;
        failed.push(`${seed}:${r.violations[0]!.invariant}`);
        const replay = `node sim/dist/cli.js --seed ${seed}${slice.flag} --nofailover draw --duration ${CI_DURATION_MS / 1000} --no-fence --verbose`;
        expect(r.stats.fenceCoveredInstants, `seed ${seed} failed without the fence although no frozen or dead leader outlived its lease:\n${formatFailure(r, replay)}`).toBeGreaterThan(0);
        expect(LEASE_INVARIANTS, `seed ${seed}: not a lease violation\n${formatFailure(r, replay)}`).toContain(r.violations[0]!.invariant);
      }
    }
    console.log(`no fence: ${covered} runs with a frozen or dead leader past its lease; failed: ${failed.join(' ') || 'none'}`);
    expect(covered).toBeGreaterThan(0); // the slice does exercise what only a fence can stop
  }, 300_000);
});
