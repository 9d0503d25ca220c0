/**
 * The real HA engine (src/ha HaLoop) in the simulation: many seeded fault schedules, every
 * invariant checked after every step. On failure the message carries the seed, the
 * schedule and the replay command (docs/simulation.md).
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { ALL_FAULT_KINDS, type FaultSchedule } from '../../sim/faults.js';
import { runSimulation } from '../../sim/runner.js';
import { runSeeds } from './seeds.js';

describe('HA engine under faults', () => {
  it('keeps every invariant over 130 seeds (asynchronous replication)', async () => {
    const { kinds } = await runSeeds(1, 130, { agent: engineAgent(), durationMs: 300_000 }, '');
    expect([...kinds].sort()).toEqual([...ALL_FAULT_KINDS].sort());
  });

  it('without a fence (no watchdog port yet), a paused leader is a split brain (spec §5)', async () => {
    const pause: FaultSchedule = [{ at: 60_000, fault: { kind: 'pause-agent', node: 'node1', forMs: 60_000 } }];
    const bare = await runSimulation({ seed: 5, agent: engineAgent({ fence: false }), schedule: pause });
    expect(bare.violations[0]).toMatchObject({ invariant: 'single-primary' });
    const fenced = await runSimulation({ seed: 5, agent: engineAgent(), schedule: pause });
    expect(fenced.violations).toEqual([]);
    expect(fenced.stats.fenceKills).toBe(1);
  });
});
