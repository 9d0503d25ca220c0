/**
 * The simulation finds planted bugs in the real engine. Each test turns
 * off exactly one safety step (a rewrite from sim/planted-bugs.ts around the real engine),
 * range in order for the first run that reports the expected violation, then checks that
 * the same seed passes with the step on and that the printed schedule replays it exactly.
 */
import { describe, expect, it } from 'vitest';
import type { PlantedBug } from '../../sim/planted-bugs.js';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { main, parseArgs, replayCommand } from '../../sim/cli.js';
import type { InvariantName } from '../../sim/invariants.js';
import { formatFailure, runSimulation, type SimulationOptions, type SimulationResult } from '../../sim/runner.js';

type Setup = (plant: PlantedBug | undefined) => Omit<SimulationOptions, 'seed'>;

async function findSeed(setup: Setup, plant: PlantedBug, want: InvariantName, seeds: number): Promise<SimulationResult> {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runSimulation({ seed, ...setup(plant) });
    if (r.violations[0]?.invariant === want) return r;
  }
  throw new Error(`no seed in 1..${seeds} reported ${want}`);
}

async function provePlanted(setup: Setup, plant: PlantedBug, want: InvariantName, seeds: number, agentName: string, flags: string[]) {
  const broken = await findSeed(setup, plant, want, seeds);
  // The report names the seed, the schedule and the command that replays it.
  const args = parseArgs(['--agent', agentName, ...flags, '--duration', '200']);
  if (typeof args === 'string') throw new Error(args);
  const report = formatFailure(broken, replayCommand(args, broken.seed, broken.schedule));
  expect(report).toContain(`simulation FAILED — seed ${broken.seed}`);
  expect(report).toContain(`violated ${want}`);
  expect(report).toContain(`--seed ${broken.seed} --agent ${agentName}`);
  // Exact replay from the seed and the printed schedule, in a test and through the CLI.
  const replay = await runSimulation({ seed: broken.seed, ...setup(plant), schedule: JSON.parse(JSON.stringify(broken.schedule)) });
  expect(replay.violations).toEqual(broken.violations);
  const lines: string[] = [];
  const argv = ['--seed', String(broken.seed), '--agent', agentName, ...flags, '--duration', '200', '--schedule', JSON.stringify(broken.schedule)];
  expect(await main(argv, (l) => lines.push(l))).toBe(1);
  expect(lines.join('\n')).toContain(`violated ${want} at ${(broken.violations[0]!.at / 1000).toFixed(3)}s`);
  // The same seed with the step on is clean.
  const safe = await runSimulation({ seed: broken.seed, ...setup(undefined) });
  if (!safe.ok) expect.fail(formatFailure(safe, `seed ${broken.seed} with the step on`));
  return broken;
}

describe('planted bugs in the real engine', () => {
  it('no demotion on a lost lock: two writers', async () => {
    // Only agent kills shorter than the lease (so the restarted agent finds its own key
    // gone from its new session, `lost`), and no fence: the fence would kill the old
    // primary at its deadline anyway; here the engine's own step is under test.
    const setup: Setup = (plant) => ({
      agent: engineAgent({ fence: false, ...(plant && { plant }) }),
      durationMs: 200_000,
      faults: { kinds: ['kill-agent'], maxFaultMs: 15_000 },
    });
    const r = await provePlanted(setup, 'skip-demote-on-lost', 'two-writers', 40, 'engine-skip-demote-on-lost', ['--faults', 'kill-agent']);
    expect(r.violations[0]!.message).toMatch(/accept writes at the same instant/);
  }, 300_000);

  it('no /sync filter on automatic promotion: a winner /sync does not list', async () => {
    // An async replica may now win the race when the synchronous standby is out of sight.
    // The race check sees it at the instant of the win; the lost acknowledged commit that
    // may follow (lost-commit, seed 33 before the race checks existed) comes later.
    const setup: Setup = (plant) => ({
      agent: engineAgent({ ...(plant && { plant }), dcsConfig: { synchronous_mode_strict: true } }),
      synchronousMode: true,
      durationMs: 200_000,
      faults: { kinds: ['isolate-node', 'partition-nodes', 'slow-disk', 'crash-postgres'], minFaults: 4, maxFaults: 8 },
    });
    const r = await provePlanted(setup, 'skip-sync-filter', 'race-winner-not-in-sync', 60, 'engine-skip-sync-filter', ['--strict']);
    expect(r.violations[0]!.message).toMatch(/won the leader race although \/sync .* does not list it/);
  }, 300_000);
});
