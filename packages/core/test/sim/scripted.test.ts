/** The scripted agent (the simulation's own reference agent) passes random fault schedules. */
import { describe, it } from 'vitest';
import { scriptedAgent } from '../../sim/agents/scripted-agent.js';
import { runSeeds } from './seeds.js';

describe('scripted agent under faults', () => {
  it('keeps every invariant over 40 seeds', async () => {
    // The toy agent never rewinds, so a forked ex-primary never follows: replica-follows is
    // a property of the real engine (engine*.test.ts), not of this reference agent.
    await runSeeds(1, 40, { agent: scriptedAgent(), durationMs: 300_000, invariants: { replicasFollow: false } }, ' --agent scripted');
  });
});
