/**
 * No /config can stop the cluster. The documents that once stopped every HA loop for
 * good (a parameter value that is an object with a `toString` key, a parameter named
 * `constructor`) or made every DCS call time out (`retry_timeout` past what a timer can
 * hold) are refused by PATCH /config with 400, and when written into etcd directly they
 * are refused by every agent: the primary keeps its lock and takes writes throughout, and
 * the cluster follows the next good /config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { E2eCluster, psql, SCOPE, sleep, waitFor, type AgentNode } from './cluster.js';
import { etcdGet, etcdPut } from './requests.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { monoNow, Writer } from './writer.js';

/** bootstrap.dcs.ttl in cluster.ts. */
const TTL_S = 20;
const TABLE = 'bad_config_probe';
const BAD_PATCHES: readonly unknown[] = [
  { postgresql: { parameters: { hot_standby: { toString: 1 } } } },
  { postgresql: { parameters: { constructor: 'x' } } },
  { postgresql: { parameters: { work_mem: '4MB\nfsync = off' } } },
  { retry_timeout: 2_147_484 },
  { loop_wait: 2_147_484 },
  { pause: true, ttl: 'bad' },
  { standby_cluster: { host: 123 } },
];

describe('a bad /config never stops the cluster', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'bad-config', nodes: 2 });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
    await Writer.createTable(primary, TABLE);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('PATCH /config refuses each with 400 and stores nothing', async () => {
    const key = `/service/${SCOPE}/config`;
    const before = await etcdGet(cluster.etcd.hosts, key);
    for (const body of BAD_PATCHES) {
      const r = await api(primary, '/config', { method: 'PATCH', body });
      expect(r.status, `${JSON.stringify(body)} → ${r.text}`).toBe(400);
    }
    expect(await etcdGet(cluster.etcd.hosts, key)).toBe(before);
  });

  it('written into etcd directly, each is refused by the agents: the primary keeps its lock and its writes; a good /config then applies', async () => {
    const key = `/service/${SCOPE}/config`;
    const good = JSON.parse((await etcdGet(cluster.etcd.hosts, key))!) as Record<string, unknown>;
    const writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    const from = monoNow();
    await etcdPut(cluster.etcd.hosts, key, JSON.stringify({ ...good, retry_timeout: 2_147_484, postgresql: { parameters: { hot_standby: { toString: 1 }, constructor: 'x' } } }));
    await sleep((TTL_S + 5) * 1000);
    const to = monoNow();
    // Fixed by PATCH: only a request that also repairs the stored document is accepted.
    const fixed = await api(primary, '/config', {
      method: 'PATCH',
      body: { retry_timeout: 10, postgresql: { parameters: { hot_standby: null, constructor: null, work_mem: '7MB' } } },
    });
    expect(fixed.status, fixed.text).toBe(200);
    // The engines follow it: the new parameter reaches every Postgres.
    for (const n of cluster.nodes) {
      await waitFor(`work_mem 7MB on ${n.name}`, () => psql(n, 'SHOW work_mem')[0] === '7MB', 30_000);
    }
    await sleep(3000);
    await writer.stop();
    const primaryAcks = writer.acks.filter((a) => a.node === primary.name && a.at >= from && a.at <= to).map((a) => a.at);
    let gap = 0;
    for (let i = 1; i < primaryAcks.length; i++) gap = Math.max(gap, primaryAcks[i]! - primaryAcks[i - 1]!);
    console.log(`bad /config in etcd: ${JSON.stringify({ primaryAcks: primaryAcks.length, longestGapMs: Math.round(gap) })}`);
    expect(primaryAcks.length, tails(cluster)).toBeGreaterThan(100);
    expect(gap, tails(cluster)).toBeLessThan(2000);
    expect(writer.acks.filter((a) => a.node !== primary.name)).toEqual([]);
    expect(await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`)).toBe(primary.name);
    // The loops kept running: every agent logged the refusal, none an unexpected error.
    for (const n of cluster.nodes) {
      expect(n.output).toMatch(/Ignoring the dynamic configuration in the DCS/);
      expect(n.output).not.toMatch(/Unexpected (error|exception)/);
    }
  }, 120_000);
});
