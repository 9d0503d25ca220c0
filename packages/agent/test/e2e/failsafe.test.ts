/**
 * failsafe_mode on real processes: three agents on a three-member etcd, a client writing
 * to every node about every 100 ms. Every etcd member is stopped for ttl + 10 s.
 * - failsafe_mode on: every member confirms the primary over POST /failsafe, so it keeps
 *   acknowledging writes throughout (no gap longer than 1 s) and no replica is promoted;
 * - failsafe_mode off: the primary stops taking writes before its lease could expire.
 * Both recover when etcd returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { E2eCluster, sleep, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { missingOn, monoNow, Writer, type Ack } from './writer.js';

/** bootstrap.dcs.ttl in cluster.ts. */
const TTL_S = 20;
const TABLE = 'failsafe_probe';

/** The longest stretch without an ack of `node` within [from, to]. */
function longestGap(acks: readonly Ack[], node: string, from: number, to: number): number {
  const times = [from, ...acks.filter((a) => a.node === node && a.at >= from && a.at <= to).map((a) => a.at), to];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

async function setFailsafe(primary: AgentNode, on: boolean, all: readonly AgentNode[]): Promise<void> {
  const r = await api(primary, '/config', { method: 'PATCH', body: { failsafe_mode: on } });
  expect(r.status, r.text).toBe(200);
  if (on) {
    // The leader publishes every member in /failsafe once it has seen the change.
    await waitFor('/failsafe listing every member', async () => {
      const f = await api(primary, '/failsafe');
      return f.status === 200 && Object.keys(f.json()).length === all.length;
    }, 30_000);
  }
  // Every agent must have read the change before the DCS goes away.
  await sleep(3000);
}

describe('failsafe_mode e2e: every etcd member stopped for ttl + 10 s', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'failsafe', nodes: 3 });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
    await Writer.createTable(primary, TABLE);
    for (const n of cluster.nodes) await waitFor(`the table on ${n.name}`, async () => (await missingOn(n, TABLE, [])).length === 0, 30_000);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  /** Stops every etcd member for ttl + 10 s, then starts them together (one alone has no quorum). */
  const outage = async (): Promise<{ from: number; to: number }> => {
    const from = monoNow();
    await Promise.all(cluster.etcd.members.map((m) => m.stop()));
    await sleep((TTL_S + 10) * 1000);
    const to = monoNow();
    await Promise.all(cluster.etcd.members.map((m) => m.start()));
    await cluster.etcd.leader(60_000);
    return { from, to };
  };

  it('failsafe_mode on: the primary keeps acknowledging writes, no replica is promoted', async () => {
    await setFailsafe(primary, true, cluster.nodes);
    const writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    await sleep(2000);
    const { from, to } = await outage();
    await sleep(5000);
    await writer.stop();
    const acks = writer.acks;
    const gap = longestGap(acks, primary.name, from, to);
    const others = acks.filter((a) => a.node !== primary.name);
    console.log(`failsafe on: ${JSON.stringify({ longestPrimaryGapMs: Math.round(gap), primaryAcksDuringOutage: acks.filter((a) => a.node === primary.name && a.at >= from && a.at <= to).length, replicaAcks: others.length })}`);
    expect(gap, tails(cluster)).toBeLessThan(1000);
    expect(others).toEqual([]);
    expect(await missingOn(primary, TABLE, acks)).toEqual([]);
    // etcd is back: the same primary leads, and writes go on.
    expect(await waitForPrimary(cluster, cluster.nodes, 60_000)).toBe(primary);
  }, 240_000);

  it('failsafe_mode off: the primary stops taking writes before its lease could expire, and the cluster recovers', async () => {
    await setFailsafe(primary, false, cluster.nodes);
    const writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    await sleep(2000);
    const lastRenewalBefore = monoNow();
    const { from, to } = await outage();
    const next = await waitForPrimary(cluster, cluster.nodes, 90_000);
    await sleep(3000);
    await writer.stop();
    const acks = writer.acks;
    const lastDuring = Math.max(...acks.filter((a) => a.node === primary.name && a.at >= from && a.at <= to).map((a) => a.at), from);
    console.log(`failsafe off: ${JSON.stringify({ lastPrimaryAckAfterStopS: +((lastDuring - from) / 1000).toFixed(2), newPrimary: next.name })}`);
    // The lease was last renewed no later than the outage began: it could expire ttl after.
    expect(lastDuring - lastRenewalBefore, tails(cluster)).toBeLessThan(TTL_S * 1000);
    expect(acks.some((a) => a.at > to), 'writes resume once etcd is back').toBe(true);
  }, 240_000);
});
