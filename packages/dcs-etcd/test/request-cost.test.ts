/**
 * What one idle HA cycle costs etcd (requests per second of an idle cluster),
 * counted by etcd itself: `grpc_server_msg_received_total` per gRPC method from the
 * member's /metrics, one message per request whatever the transport. A leader's cycle
 * (read, refresh, touch) and a replica's (read, touch) are measured apart, on a real etcd
 * that nothing else talks to. The cheap paths must also stay right: a leader key taken
 * behind the leader's back is reported by the very next refresh.
 */
import { Dcs, type Cluster, type MemberData } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import type { RawEtcd } from './support/raw-etcd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Etcd3Dcs } from '../src/index.js';
import { createAdapter, rawClient } from './support/etcd-target.js';

const CYCLES = 5;
const MEMBER: MemberData = { state: 'running', role: 'replica', xlog_location: 1, timeline: 1 };

let etcd: EtcdCluster;
let raw: RawEtcd;
const adapters: Etcd3Dcs[] = [];
beforeAll(async () => {
  etcd = await startEtcd();
  raw = rawClient(etcd);
});
afterAll(async () => {
  for (const adapter of adapters) adapter.abandon();
  raw?.close();
  await etcd?.close();
});

/** gRPC messages etcd received so far, by method. */
async function received(): Promise<Record<string, number>> {
  const text = await (await fetch(`${etcd.endpoints[0]}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^grpc_server_msg_received_total\{[^}]*grpc_method="(\w+)"[^}]*\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/gm)) {
    counts[match[1]!] = (counts[match[1]!] ?? 0) + Number(match[2]);
  }
  return counts;
}

/** Messages per cycle, by method, over `CYCLES` runs of `cycle` (methods with none left out). */
async function costPerCycle(cycle: () => Promise<void>): Promise<Record<string, number>> {
  const before = await received();
  for (let i = 0; i < CYCLES; i++) await cycle();
  const after = await received();
  const perCycle: Record<string, number> = {};
  for (const [method, count] of Object.entries(after)) {
    const delta = count - (before[method] ?? 0);
    if (delta > 0) perCycle[method] = delta / CYCLES;
  }
  return perCycle;
}

async function node(scope: string, name: string, timing = { ttl: 10, loopWait: 1, retryTimeout: 3 }): Promise<Dcs> {
  const adapter = await createAdapter(etcd, { scope, name, ttlSeconds: timing.ttl, loopWaitSeconds: timing.loopWait, retryTimeoutSeconds: timing.retryTimeout });
  adapters.push(adapter);
  return new Dcs({ adapter, timing });
}

async function loaded(dcs: Dcs): Promise<Cluster> {
  const outcome = await dcs.loadCluster();
  if (outcome.kind !== 'loaded') throw new Error(`loadCluster: ${outcome.cause.message}`);
  return outcome.cluster;
}

/**
 * Lets the watch streams deliver the events of the set-up writes. A cached read may lag
 * another client's write by the watch's delivery time, so a cycle may fail its checks
 * while the cache catches up; after that they must all pass.
 */
async function settle(...cycles: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    for (const cycle of cycles) await cycle().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const cycle of cycles) await cycle();
}

describe('an idle cycle', () => {
  it.each([
    { ttl: 10, loopWait: 1, retryTimeout: 3 },
    { ttl: 30, loopWait: 10, retryTimeout: 10 },
  ])('costs the leader two lease keepalives and a replica one, nothing else (ttl $ttl, loop_wait $loopWait)', async (timing) => {
    const scope = `cost-${timing.loopWait}`;
    const leader = await node(scope, 'a', timing);
    const replica = await node(scope, 'b', timing);
    expect((await leader.touchMember({ ...MEMBER, role: 'primary' })).kind).toBe('written');
    expect((await leader.acquireLeader()).kind).toBe('held');
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');

    const leaderCycle = async (): Promise<void> => {
      const cluster = await loaded(leader);
      expect(cluster.leader?.name).toBe('a');
      expect((await leader.refreshLeader(cluster)).kind).toBe('held');
      expect((await leader.touchMember({ ...MEMBER, role: 'primary' })).kind).toBe('written');
    };
    const replicaCycle = async (): Promise<void> => {
      const cluster = await loaded(replica);
      expect(cluster.leader?.name).toBe('a');
      expect(cluster.members.map((m) => m.name).sort()).toEqual(['a', 'b']);
      expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    };
    await settle(leaderCycle, replicaCycle);

    // Leader: the read's keepalive proves the cached copy current; the refresh is its own
    // keepalive, whose answer also proves the cached leader key ours (no Txn); the touch
    // finds the member key unchanged and the lease just renewed.
    expect(await costPerCycle(leaderCycle)).toEqual({ LeaseKeepAlive: 2 });
    // Replica: the read's keepalive is the lease renewal the touch would otherwise send.
    expect(await costPerCycle(replicaCycle)).toEqual({ LeaseKeepAlive: 1 });
  });

  it('falls back to a range read of the prefix when writes outside the prefix move the revision', async () => {
    const replica = await node('cost-shared', 'b');
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    let n = 0;
    const cycle = async (): Promise<void> => {
      // Another cluster sharing this etcd: its writes raise the store revision, which our
      // watch (on our prefix only) never reports, so the keepalive's revision is ahead.
      await raw.put(`/service/someone-else/members/x`, String(n++));
      const cluster = await loaded(replica);
      expect(cluster.members.map((m) => m.name)).toEqual(['b']);
      expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    };
    await settle(cycle);
    // The keepalive's revision is ahead of the copy, so the read is a range (which the copy absorbs).
    expect(await costPerCycle(cycle)).toEqual({ Put: 1, LeaseKeepAlive: 1, Range: 1 });
  });

  it('a change made behind a replica\'s back shows in its very next cached read', async () => {
    const replica = await node('cost-fresh', 'b');
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    await settle(async () => void (await loaded(replica)));
    // Whether or not the watch has delivered the put yet, the read's proof must not pass a copy without it.
    // The second read may be served by the copy once it absorbed the first one's range.
    for (let i = 0; i < 20; i++) {
      await raw.put('/service/cost-fresh/initialize', String(7000 + i));
      expect((await loaded(replica)).initialize).toBe(String(7000 + i));
      expect((await loaded(replica)).initialize).toBe(String(7000 + i));
    }
    await raw.delete('/service/cost-fresh/initialize');
    expect((await loaded(replica)).initialize).toBeNull();
    expect((await loaded(replica)).initialize).toBeNull();
  });

  it('reports a leader key taken behind the leader\'s back at the next refresh', async () => {
    const leader = await node('cost-taken', 'a');
    expect((await leader.acquireLeader()).kind).toBe('held');
    await settle(async () => {
      const cluster = await loaded(leader);
      expect((await leader.refreshLeader(cluster)).kind).toBe('held');
    });
    const cluster = await loaded(leader);
    await raw.put('/service/cost-taken/leader', 'z');
    // At once: whether or not the watch event has arrived, the refresh must not say held.
    expect(await leader.refreshLeader(cluster)).toMatchObject({ kind: 'lost', reason: 'held-by-other', holder: 'z' });
  });
});
