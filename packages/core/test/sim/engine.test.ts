/**
 * The real HA engine (built by createNode, as the agent builds it) in the simulation: CI run part 1 of 4
 * (CI_SETS in seeds.ts: 500 seeds in all). Every invariant is checked after every step; on
 * failure the message carries the seed, the schedule and the replay command.
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { ALL_FAULT_KINDS, type FaultSchedule } from '../../sim/faults.js';
import { runSimulation } from '../../sim/runner.js';
import { CI_SETS, runSeeds } from './seeds.js';

describe('HA engine under faults (asynchronous replication)', () => {
  it(`keeps every invariant over seeds ${CI_SETS.asyncA.from}..+${CI_SETS.asyncA.count}`, async () => {
    const { from, count, options, flag } = CI_SETS.asyncA;
    const { kinds, tagged } = await runSeeds(from, count, options, flag);
    expect([...kinds].sort()).toEqual([...ALL_FAULT_KINDS].sort());
    expect(tagged).toBeGreaterThan(count / 5); // the nofailover invariant had work to do
  }, 600_000);

  it('without a lease guard (NO_LEASE_GUARD), a paused leader is a split brain (spec §5)', async () => {
    const pause: FaultSchedule = [{ at: 60_000, fault: { kind: 'pause-agent', node: 'node1', forMs: 60_000 } }];
    const bare = await runSimulation({ seed: 5, agent: engineAgent({ fence: false }), schedule: pause });
    expect(bare.violations[0]).toMatchObject({ invariant: 'two-writers' });
    expect(bare.stats.fenceCoveredInstants).toBeGreaterThan(0); // frozen past its lease: only a fence could act
    const fenced = await runSimulation({ seed: 5, agent: engineAgent(), schedule: pause });
    expect(fenced.violations).toEqual([]);
    expect(fenced.stats.fenceKills).toBe(1);
  });
});
