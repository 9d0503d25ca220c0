/**
 * Engine weaknesses the simulation found, each pinned to the seed that showed it
 * (docs: packages/core/docs/simulation.md, "Engine findings with the physical models").
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { DEFAULT_MODELS } from '../../sim/models.js';
import { quorumEngineAgent } from '../../sim/quorum-check.js';
import { formatFailure, runSimulation, type SimulationOptions } from '../../sim/runner.js';
import { DEFAULT_BURSTS } from '../../sim/workload.js';

async function expectClean(options: SimulationOptions, replay: string): Promise<void> {
  const r = await runSimulation(options);
  if (!r.ok) expect.fail(formatFailure(r, replay));
}

describe('engine findings, fixed', () => {
  // node2, cut off as primary, wrote on timeline 1 past the point where node1 took over on
  // timeline 2; once node1 lost its lock too, node2 had the most WAL but could not win,
  // and the others stood down for it: nobody led until the run ended.
  it('a replica on an abandoned branch does not block the leader race (seed 1045, async and quorum)', async () => {
    await expectClean({ seed: 1045, agent: engineAgent() }, 'node sim/dist/cli.js --seed 1045 --verbose');
    await expectClean({ seed: 1045, agent: quorumEngineAgent(), synchronousMode: true }, 'node sim/dist/cli.js --seed 1045 --quorum --verbose');
  });

  // DCS latency spikes and write bursts from the first instant: a slow DCS call during the
  // bootstrap leaves seconds between the new primary's start and its first cycle as leader.
  const strictFromTheStart = (plant?: 'strict-bootstrap-without-star'): SimulationOptions => ({
    seed: 1045,
    agent: engineAgent({ dcsConfig: { synchronous_mode_strict: true }, ...(plant ? { plant } : {}) }),
    synchronousMode: true,
    durationMs: 180_000,
    faults: { warmupMs: 0 },
    models: { ...DEFAULT_MODELS, bursts: { ...DEFAULT_BURSTS, firstAfterMs: 0 } },
  });

  it('strict mode: the bootstrapped primary acknowledges no commit before a synchronous standby confirms it', async () => {
    await expectClean(strictFromTheStart(), 'runSimulation(strictFromTheStart()) in test/sim/engine-findings.test.ts');
    // Without the '*' at bootstrap the same run acknowledges row1 unconfirmed.
    const planted = await runSimulation(strictFromTheStart('strict-bootstrap-without-star'));
    expect(planted.violations[0]).toMatchObject({ invariant: 'strict-sync-ack' });
    expect(planted.violations[0]!.at).toBeLessThan(40_000);
  });
});
