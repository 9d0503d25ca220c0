/** The real HA engine with synchronous_mode on: no acknowledged synchronous commit is lost. */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { runSeeds } from './seeds.js';

describe('HA engine under faults, synchronous_mode', () => {
  it('loses no acknowledged synchronous commit over 70 seeds', async () => {
    const { syncAcked } = await runSeeds(1001, 70, { agent: engineAgent(), synchronousMode: true, durationMs: 300_000 }, ' --sync');
    expect(syncAcked).toBeGreaterThan(1000);
  });
});
