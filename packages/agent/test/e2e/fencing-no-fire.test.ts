/**
 * Issue #8, the other half of the proof: the fence must not fire on a healthy cluster's
 * normal operations. One two-node cluster (ttl 20, loop_wait 1, fence margin 5 s) and a
 * client writing to every node about every 100 ms (writer.ts), through: a 2 s SIGSTOP of
 * the primary's agent; a switchover; a paused cluster whose primary agent is stopped for
 * longer than ttl (Postgres must keep running and accepting writes, as in Patroni); a
 * clean SIGTERM shutdown of the primary's agent. Afterwards no guard ever fired, no
 * agent logged a fence WARNING, and no window had two writers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { E2eCluster, psql, SCOPE, sleep, waitFor, type AgentNode } from './cluster.js';
import { fenceField, FENCE_WARNING, guardFires, guardPid, guardReport, isAlive } from './fence-probes.js';
import { etcdGet } from './requests.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { monoNow, perNode, twoWriters, Writer, type Ack } from './writer.js';

const TTL_S = 20;
const TABLE = 'fence_probe';

describe('fencing e2e: the fence does not fire on normal operations', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let replica: AgentNode;
  let writer: Writer;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'fencing-no-fire', nodes: 2 });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    replica = cluster.nodes.find((n) => n !== primary)!;
    await waitForStreaming(cluster, primary, [replica]);
    await Writer.createTable(primary, TABLE);
    await waitFor('the table on the replica', () => psql(replica, `SELECT to_regclass('${TABLE}') IS NOT NULL`)[0] === 't', 30_000);
    await waitFor('the fence armed on the primary', async () => (await fenceField(primary))?.armed === true, 15_000);
    writer = new Writer(cluster.nodes, TABLE);
    writer.start();
  });

  afterAll(async () => {
    await writer?.stop();
    await cluster?.close();
  });

  /** The longest time between two consecutive acks of `node` in the window. */
  const longestGapMs = (acks: readonly Ack[], node: AgentNode): number => {
    const at = acks.filter((a) => a.node === node.name).map((a) => a.at);
    let gap = 0;
    for (let i = 1; i < at.length; i++) gap = Math.max(gap, at[i]! - at[i - 1]!);
    return gap;
  };

  const leaderKey = (): Promise<string | null> => etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`);

  it('a 2 s SIGSTOP of the primary agent (ttl 20): no failover, no fence', async () => {
    const pm = cluster.postmasterPid(primary);
    const from = monoNow();
    await sleep(1500);
    const agent = primary.process!.pid!;
    process.kill(agent, 'SIGSTOP');
    await sleep(2000);
    process.kill(agent, 'SIGCONT');
    // Past the deadline the last renewal before the freeze set (renewal + ttl − margin = 15 s).
    const until = monoNow() + (TTL_S - 2) * 1000;
    while (monoNow() < until) {
      expect(await leaderKey(), tails(cluster)).toBe(primary.name);
      expect(isAlive(pm), 'the primary postmaster').toBe(true);
      await sleep(1000);
    }
    const acks = writer.between(from);
    const gap = longestGapMs(acks, primary);
    console.log(`fencing no-fire, 2 s SIGSTOP: ${JSON.stringify({ ackedPerNode: perNode(acks), longestPrimaryGapMs: Math.round(gap) })}`);
    expect(perNode(acks)).toEqual({ [primary.name]: expect.any(Number) });
    expect(gap).toBeLessThan(1500);
    expect(await fenceField(primary)).toMatchObject({ armed: true, fenced_count: 0 });
    expect(guardFires(primary)).toBe(0);
  });

  it('a switchover: the old primary is demoted by its agent, not by the guard', async () => {
    const from = monoNow();
    const guard = guardPid(primary);
    const reply = await api(primary, '/switchover', { method: 'POST', body: { leader: primary.name, candidate: replica.name }, timeoutMs: 60_000 });
    expect(reply.status, `${reply.text}\n${tails(cluster)}`).toBe(200);
    const next = await waitForPrimary(cluster, [replica], 30_000);
    await waitForStreaming(cluster, next, [primary]);
    await sleep(2000);
    const acks = writer.between(from);
    const overlap = twoWriters(acks);
    console.log(`fencing no-fire, switchover: ${JSON.stringify({ ...overlap, ackedPerNode: perNode(acks) })}`);
    expect(overlap).toEqual({ overlapMs: 0, interleaved: 0, pair: null });
    // The demoted node's guard stays, disarmed; the new primary's is armed.
    expect(isAlive(guard)).toBe(true);
    expect(await fenceField(primary)).toMatchObject({ armed: false, fenced_count: 0 });
    await waitFor('the fence armed on the new primary', async () => (await fenceField(next))?.armed === true, 15_000);
    [primary, replica] = [next, primary];
  });

  it('paused, the primary agent stopped for longer than ttl: Postgres keeps running and writable; restart and resume', async () => {
    const pm = cluster.postmasterPid(primary);
    const guard = guardPid(primary);
    const paused = await api(primary, '/config', { method: 'PATCH', body: { pause: true } });
    expect(paused.status, paused.text).toBe(200);
    for (const n of cluster.nodes) await waitFor(`${n.name} paused`, async () => (await patroni(n))?.['pause'] === true, 15_000);
    await waitFor('the fence disarmed by pause', async () => (await fenceField(primary))?.armed === false, 10_000);

    // SIGTERM while paused: Patroni's shutdown leaves Postgres running; the guard just exits.
    expect(await cluster.stop(primary)).toBe(0);
    expect(primary.output).toMatch(/Leaving PostgreSQL running: the cluster is paused/);
    await waitFor('the guard to exit', () => !isAlive(guard), 5000);
    expect(guardReport(primary)).toMatch(/ exit requested\n$/);
    const from = monoNow();
    const until = from + (TTL_S + 5) * 1000;
    while (monoNow() < until) {
      expect(isAlive(pm), 'the paused primary postmaster').toBe(true);
      expect((await patroni(replica))?.['role'], tails(cluster)).toBe('replica');
      await sleep(1000);
    }
    const acks = writer.between(from);
    const gap = longestGapMs(acks, primary);
    console.log(`fencing no-fire, paused with the agent stopped ${TTL_S + 5} s: ${JSON.stringify({ ackedPerNode: perNode(acks), longestPrimaryGapMs: Math.round(gap) })}`);
    expect(perNode(acks)).toEqual({ [primary.name]: expect.any(Number) });
    expect(gap).toBeLessThan(1500);

    cluster.start(primary);
    await waitFor('the restarted agent to see its running primary', async () => {
      const s = await patroni(primary);
      return s?.['role'] === 'primary' && s['state'] === 'running' && s['pause'] === true;
    }, 60_000);
    const resumed = await api(primary, '/config', { method: 'PATCH', body: { pause: false } });
    expect(resumed.status, resumed.text).toBe(200);
    for (const n of cluster.nodes) await waitFor(`${n.name} resumed`, async () => (await patroni(n))?.['pause'] !== true, 15_000);
    await waitFor('the fence armed again after resume', async () => (await fenceField(primary))?.armed === true, 15_000);
    await waitFor('the leader key back with the primary', async () => (await leaderKey()) === primary.name, 15_000);
    expect(cluster.postmasterPid(primary)).toBe(pm);
    expect(isAlive(pm)).toBe(true);
  }, 240_000);

  it('a clean SIGTERM shutdown of the primary agent: the agent stops Postgres, the guard exits', async () => {
    const guard = guardPid(primary);
    const pm = cluster.postmasterPid(primary);
    const from = monoNow();
    expect(await cluster.stop(primary)).toBe(0);
    expect(isAlive(pm)).toBe(false);
    expect(isAlive(guard)).toBe(false);
    expect(guardReport(primary)).toMatch(/ exit requested\n$/);
    const next = await waitForPrimary(cluster, [replica], (TTL_S + 10) * 1000);
    await sleep(2000);
    const acks = writer.between(from);
    const overlap = twoWriters(acks);
    console.log(`fencing no-fire, clean shutdown: ${JSON.stringify({ ...overlap, ackedPerNode: perNode(acks) })}`);
    expect(overlap).toEqual({ overlapMs: 0, interleaved: 0, pair: null });
    expect(next).toBe(replica);
  });

  it('over the whole run: no guard fired, no fence WARNING', () => {
    for (const n of cluster.nodes) {
      expect(guardFires(n), `${n.name}: ${guardReport(n)}`).toBe(0);
      expect(n.output.match(FENCE_WARNING) ?? [], n.name).toEqual([]);
    }
  });
});
