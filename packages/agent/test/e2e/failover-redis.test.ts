/**
 * The lost-host failover and pg_rewind rejoin (lost-host.ts) on a real Redis 7, and the
 * warning every agent on Redis logs once at start: Redis offers no consensus.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { E2eCluster } from './cluster.js';
import { lostHostScenario } from './lost-host.js';
import { tails, waitForPrimary } from './wait.js';

lostHostScenario('redis');

describe('pgwarden e2e on redis: the consensus warning', () => {
  let cluster: E2eCluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it('logs once at start that Redis provides no consensus, and still runs', async () => {
    cluster = await E2eCluster.create({ label: 'redis-warning', nodes: 1, dcs: 'redis' });
    const [node] = cluster.nodes;
    cluster.start(node!);
    await waitForPrimary(cluster);
    const warnings = node!.output.split('\n').filter((line) => line.includes('Redis does not provide consensus'));
    expect(warnings, tails(cluster)).toHaveLength(1);
    expect(warnings[0]).toMatch(/etcd3 or zookeeper/);
  });
});
