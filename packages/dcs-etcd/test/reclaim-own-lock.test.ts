/**
 * An agent restarted while its Postgres kept running (systemd's KillMode=process, a crash
 * with Restart=on-failure) finds the leader key under its own name but on the dead
 * process's lease. As Patroni does, its first refresh takes the key back by name, moving
 * it to its own lease in one compare-and-put, so the lock outlives the dead lease. A key
 * naming another member is never taken.
 */
import { Dcs, KeyLayout } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import type { RawEtcd } from './support/raw-etcd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, rawClient } from './support/etcd-target.js';

const TTL = 5;

describe('a restarted member takes its own leader key back', () => {
  let etcd: EtcdCluster;
  let raw: RawEtcd;
  beforeAll(async () => {
    etcd = await startEtcd();
    raw = rawClient(etcd);
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.close();
  });

  const open = async (scope: string, name: string) => {
    const adapter = await createAdapter(etcd, { scope, name, layout: new KeyLayout({ scope }), ttlSeconds: TTL });
    return { adapter, dcs: new Dcs({ adapter, timing: { ttl: TTL, loopWait: 1, retryTimeout: 3 } }) };
  };
  const refresh = async (dcs: Dcs) => {
    const loaded = await dcs.loadCluster();
    return dcs.refreshLeader(loaded.kind === 'loaded' ? loaded.cluster : null);
  };
  const leaderLease = async (scope: string): Promise<string | null> => (await raw.kv(new KeyLayout({ scope }).key('leader')))?.lease ?? null;

  it('moves the key to the new lease; the lock outlives the dead process lease', async () => {
    const before = await open('reclaim', 'n1');
    expect((await before.dcs.acquireLeader()).kind).toBe('held');
    const deadLease = await leaderLease('reclaim');
    // The process dies: its lease is never renewed again, and nothing releases the key.
    before.adapter.abandon();

    const after = await open('reclaim', 'n1');
    expect((await refresh(after.dcs)).kind).toBe('held');
    expect(await leaderLease('reclaim')).toBe(after.adapter.leaseId);
    expect(after.adapter.leaseId).not.toBe(deadLease);

    // Past the dead lease's expiry the key is still there, still ours.
    const until = Date.now() + (TTL + 2) * 1000;
    while (Date.now() < until) {
      expect((await refresh(after.dcs)).kind).toBe('held');
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect((await raw.get(new KeyLayout({ scope: 'reclaim' }).key('leader')))).toBe('n1');
    await after.dcs.close();
  }, 60_000);

  it('never takes a key that names another member', async () => {
    const holder = await open('other', 'n1');
    expect((await holder.dcs.acquireLeader()).kind).toBe('held');
    const heldLease = await leaderLease('other');
    const other = await open('other', 'n2');
    expect(await refresh(other.dcs)).toMatchObject({ kind: 'lost', reason: 'held-by-other', holder: 'n1' });
    expect(await leaderLease('other')).toBe(heldLease);
    await other.dcs.close();
    await holder.dcs.close();
  });
});
