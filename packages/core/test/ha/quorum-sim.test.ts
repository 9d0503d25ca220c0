/**
 * The simulation in quorum mode (synchronous_mode: quorum): nodes under faults; no
 * acknowledged commit lost, and quorum-ack / quorum-sync-unsafe (sim/quorum-check.ts)
 * hold at every instant. The quorum planted bugs are in quorum-planted.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { quorumEngineAgent } from '../../sim/quorum-check.js';
import { formatFailure, MIN_DURATION_MS, runSimulation, type SimulationOptions } from '../../sim/runner.js';

async function runSet(from: number, count: number, options: Omit<SimulationOptions, 'seed'>, flag: string) {
  let syncAcked = 0;
  let promotions = 0;
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSimulation({ seed, synchronousMode: true, nofailover: 'draw', durationMs: MIN_DURATION_MS, ...options });
    if (!r.ok) expect.fail(formatFailure(r, `cd packages/core && npx tsup --config sim/tsup.config.ts && node sim/dist/cli.js --seed ${seed} --quorum${flag} --verbose`));
    syncAcked += r.stats.syncAcked;
    promotions += r.log.filter((l) => l.includes('pg: promoted')).length;
  }
  return { syncAcked, promotions };
}

describe('simulation: synchronous_mode quorum', () => {
  it('three nodes, seeds 3001..3100: commits acknowledged by a quorum survive every failover', async () => {
    const { syncAcked, promotions } = await runSet(3001, 100, { agent: quorumEngineAgent() }, '');
    expect(syncAcked).toBeGreaterThan(100 * 20);
    expect(promotions).toBeGreaterThan(20);
  }, 600_000);

  it('four nodes, synchronous_node_count 2, seeds 3201..3240', async () => {
    const agent = quorumEngineAgent({ dcsConfig: { synchronous_node_count: 2 } });
    const { syncAcked, promotions } = await runSet(3201, 40, { agent, nodes: ['node1', 'node2', 'node3', 'node4'] }, ' (synchronous_node_count: 2, 4 nodes)');
    expect(syncAcked).toBeGreaterThan(40 * 20);
    expect(promotions).toBeGreaterThan(5);
  }, 600_000);

  it('strict, seeds 3301..3340', async () => {
    const { syncAcked } = await runSet(3301, 40, { agent: quorumEngineAgent({ dcsConfig: { synchronous_mode_strict: true } }) }, ' --strict');
    expect(syncAcked).toBeGreaterThan(40 * 20);
  }, 600_000);
});
