/**
 * What one idle HA cycle costs etcd (requests per second of an idle cluster),
 * counted by etcd itself: `grpc_server_msg_received_total` per gRPC method from the
 * member's /metrics, one message per request whatever the transport. A leader's cycle
 * (read, refresh, touch) and a replica's (read, touch) are measured apart, on a real etcd
 * that nothing else talks to. The cheap paths must also stay right: a leader key taken
 * behind the leader's back is reported by the very next refresh, and a replica that sends
 * nothing between proofs still renews its lease in time.
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
async function costPerCycle(cycle: () => Promise<void>, cycles = CYCLES): Promise<Record<string, number>> {
  const before = await received();
  for (let i = 0; i < cycles; i++) await cycle();
  const after = await received();
  const perCycle: Record<string, number> = {};
  for (const [method, count] of Object.entries(after)) {
    const delta = count - (before[method] ?? 0);
    if (delta > 0) perCycle[method] = delta / cycles;
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
  ])('costs the leader one lease keepalive and a replica nothing while its copy is proven (ttl $ttl, loop_wait $loopWait)', async (timing) => {
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

    // Leader: the read is served from the copy the previous refresh proved; the refresh is
    // its keepalive, whose answer also proves the cached leader key ours (no Txn) and the
    // copy for the next read; the touch finds the member key unchanged and the lease fresh.
    expect(await costPerCycle(leaderCycle)).toEqual({ LeaseKeepAlive: 1 });
    // Replica: within half a TTL of its last proof (and renewal) a cycle sends nothing.
    expect(await costPerCycle(replicaCycle)).toEqual({});
  });

  it('a replica renews its lease, and proves its copy, once per half TTL: no more often, never too late', async () => {
    const timing = { ttl: 4, loopWait: 1, retryTimeout: 1 };
    const replica = await node('cost-renewal', 'b', timing);
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    const cycle = async (): Promise<void> => {
      const cluster = await loaded(replica);
      expect(cluster.members.map((m) => m.name)).toEqual(['b']);
      expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    };
    await settle(cycle);
    const before = await received();
    // 10 s of cycles 200 ms apart: 2.5 TTLs, so the member key would be gone without renewals.
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      await cycle();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const after = await received();
    const keepalives = (after.LeaseKeepAlive ?? 0) - (before.LeaseKeepAlive ?? 0);
    // One per 2 s, give or take a cycle's alignment at each end of the window (fewer when a
    // loaded machine stretches the cycles); one per cycle would be about 50.
    expect(keepalives).toBeGreaterThanOrEqual(3);
    expect(keepalives).toBeLessThanOrEqual(6);
    // A proof whose revision ran ahead of the copy (earlier tests' leases expiring in this
    // etcd move its revision) is completed by a range; nothing else is sent.
    const ranges = (after.Range ?? 0) - (before.Range ?? 0);
    expect(ranges).toBeLessThanOrEqual(keepalives);
    expect(Object.keys(after).filter((method) => !['LeaseKeepAlive', 'Range'].includes(method) && after[method] !== before[method])).toEqual([]);
    // The key is still the one written at the start: renewed, never expired and re-created.
    expect(await raw.get('/service/cost-renewal/members/b')).not.toBeNull();
  });

  it('falls back to a range read of the prefix when writes outside the prefix move the revision', async () => {
    const replica = await node('cost-shared', 'b', { ttl: 4, loopWait: 1, retryTimeout: 1 });
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    const read = async (): Promise<void> => {
      expect((await loaded(replica)).members.map((m) => m.name)).toEqual(['b']);
    };
    await settle(read);
    for (let i = 0; i < 2; i++) {
      // Another cluster sharing this etcd: its writes raise the store revision, which our
      // watch (on our prefix only) never reports, so a keepalive's revision is ahead.
      await raw.put(`/service/someone-else/members/x`, String(i));
      // Past half the TTL the copy needs a new proof.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      // The keepalive's revision is ahead of the copy, so the read is a range (which the copy absorbs) ...
      expect(await costPerCycle(read, 1)).toEqual({ LeaseKeepAlive: 1, Range: 1 });
      // ... and that range proves the copy for the next reads.
      expect(await costPerCycle(read, 1)).toEqual({});
    }
  });

  it('a change made behind a replica\'s back shows in its cached reads once the watch delivers it, with no request', async () => {
    // A TTL long enough that no proof falls due during the test.
    const replica = await node('cost-fresh', 'b', { ttl: 30, loopWait: 1, retryTimeout: 3 });
    expect((await replica.touchMember(MEMBER)).kind).toBe('written');
    await settle(async () => void (await loaded(replica)));
    const showsWithin = async (expected: string | null): Promise<void> => {
      const deadline = Date.now() + 2_000;
      while ((await loaded(replica)).initialize !== expected) {
        if (Date.now() > deadline) throw new Error(`the cached read still lacks initialize=${expected} after 2 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const before = await received();
    for (let i = 0; i < 20; i++) {
      await raw.put('/service/cost-fresh/initialize', String(7000 + i));
      await showsWithin(String(7000 + i));
    }
    await raw.delete('/service/cost-fresh/initialize');
    await showsWithin(null);
    const after = await received();
    // Only the test's own writes reached etcd: every read was served by the watch copy.
    expect((after.Put ?? 0) - (before.Put ?? 0)).toBe(20);
    expect((after.DeleteRange ?? 0) - (before.DeleteRange ?? 0)).toBe(1);
    expect((after.LeaseKeepAlive ?? 0) - (before.LeaseKeepAlive ?? 0) + (after.Range ?? 0) - (before.Range ?? 0)).toBe(0);
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
