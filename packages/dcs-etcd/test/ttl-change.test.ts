/**
 * `/config`'s ttl changes reach the etcd lease (Patroni's etcd3 `set_ttl`): the next
 * refreshLeader or touchMember takes a lease with the new TTL and moves our keys to it —
 * the leader key in one compare-and-put, so the lock is never lost on the way, whichever
 * call of the cycle comes first. Before the fix the lease kept the TTL the adapter was
 * created with while the loop counted on the new one.
 */
import { Dcs, KeyLayout } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import type { RawEtcd } from './support/raw-etcd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, rawClient } from './support/etcd-target.js';

describe('etcd lease follows the ttl', () => {
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

  /** The TTL the lease bound to `key` was granted with, and its id; null when the key is absent. */
  const leaseOf = async (key: string): Promise<{ id: string; granted: number } | null> => {
    const kv = await raw.kv(key);
    if (!kv) return null;
    const ttl = await raw.timeToLive(kv.lease);
    return { id: kv.lease, granted: Number(ttl.grantedTTL) };
  };

  const open = async (scope: string, ttl: number) => {
    const layout = new KeyLayout({ scope });
    const adapter = await createAdapter(etcd, { scope, name: 'n1', layout, ttlSeconds: ttl });
    const dcs = new Dcs({ adapter, timing: { ttl, loopWait: 1, retryTimeout: 3 } });
    return { dcs, adapter, leaderKey: layout.key('leader'), memberKey: layout.member('n1') };
  };

  const refresh = async (dcs: Dcs) => {
    const loaded = await dcs.loadCluster();
    return dcs.refreshLeader(loaded.kind === 'loaded' ? loaded.cluster : null);
  };

  it('a raised ttl: refreshLeader moves the lock to a lease with the new TTL, which outlives the old one', async () => {
    const { dcs, adapter, leaderKey, memberKey } = await open('raise', 10);
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
      await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'primary' });
      expect((await leaseOf(leaderKey))?.granted).toBe(10);

      dcs.setTiming({ ttl: 30, loopWait: 1, retryTimeout: 3 });
      const before = performance.now();
      const r = await refresh(dcs);
      expect(r.kind).toBe('held');
      if (r.kind === 'held') expect(r.validUntil - before).toBeGreaterThan(28_000);
      const leader = await leaseOf(leaderKey);
      expect(leader).toEqual({ id: adapter.leaseId, granted: 30 });
      await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'primary' });
      expect(await leaseOf(memberKey)).toEqual({ id: adapter.leaseId, granted: 30 });

      // No renewal for longer than the old ttl: the lock is still there.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      expect((await raw.get(leaderKey))).toBe('n1');
    } finally {
      await dcs.close();
    }
  });

  it('touchMember first in the cycle: the lock is still held and moves at the refresh', async () => {
    const { dcs, adapter, leaderKey, memberKey } = await open('touch-first', 10);
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
      dcs.setTiming({ ttl: 20, loopWait: 1, retryTimeout: 3 });
      await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'primary' });
      expect(await leaseOf(memberKey)).toEqual({ id: adapter.leaseId, granted: 20 });
      expect((await refresh(dcs)).kind).toBe('held');
      expect(await leaseOf(leaderKey)).toEqual({ id: adapter.leaseId, granted: 20 });
      // A later refresh renews the new lease as usual.
      expect((await refresh(dcs)).kind).toBe('held');
    } finally {
      await dcs.close();
    }
  });

  it('a replica: a lowered ttl reaches its member key at the next touch', async () => {
    const { dcs, adapter, memberKey } = await open('replica', 30);
    try {
      await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'replica' });
      expect((await leaseOf(memberKey))?.granted).toBe(30);
      dcs.setTiming({ ttl: 10, loopWait: 1, retryTimeout: 3 });
      await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'replica' });
      expect(await leaseOf(memberKey)).toEqual({ id: adapter.leaseId, granted: 10 });
    } finally {
      await dcs.close();
    }
  });
});
