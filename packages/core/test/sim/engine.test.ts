/**
 * The real HA engine (built by createNode, as the agent builds it) in the simulation:
 * CI run part 1 of 8 (asynchronous replication; CI_SETS in seeds.ts: 2,000 seeds in
 * all). Every invariant is checked after every step; on failure the message carries the
 * seed, the schedule and the replay command.
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import type { FaultSchedule } from '../../sim/faults.js';
import { runSimulation } from '../../sim/runner.js';
import { describeCiSet } from './seeds.js';

describeCiSet('asyncA', 'HA engine under faults (asynchronous replication)');

describe('HA engine without its lease guard', () => {
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
