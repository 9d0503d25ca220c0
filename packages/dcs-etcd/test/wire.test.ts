/**
 * Wire compatibility with Patroni: what pgwarden writes through core's Dcs and this
 * adapter is byte-for-byte what Patroni writes, and what Patroni writes reads back as
 * the right snapshot. Raw keys are read and written with a plain etcd client.
 */
import { Dcs, type Cluster } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import type { RawEtcd } from './support/raw-etcd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Etcd3Dcs } from '../src/index.js';
import { createAdapter, rawClient } from './support/etcd-target.js';

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

function dcsFor(adapter: Etcd3Dcs): Dcs {
  return new Dcs({ adapter, timing: { ttl: 10, loopWait: 1, retryTimeout: 3 } });
}

async function load(dcs: Dcs): Promise<Cluster> {
  const outcome = await dcs.loadCluster({ linearizable: true });
  if (outcome.kind !== 'loaded') throw new Error(outcome.cause.message);
  return outcome.cluster;
}

describe('what pgwarden writes', () => {
  it('is what Patroni writes, byte for byte, at Patroni\'s paths', async () => {
    const adapter = await createAdapter(etcd, { scope: 'wire-out', name: 'node1' });
    const dcs = dcsFor(adapter);
    try {
      const memberData = {
        conn_url: 'postgres://127.0.0.1:5432/postgres',
        api_url: 'http://127.0.0.1:8008/patroni',
        state: 'running',
        role: 'master',
        version: '3.3.1',
        xlog_location: 67108960,
        timeline: 2,
      };
      // Patroni's field order, whatever order the object was built in.
      const shuffled = Object.fromEntries(Object.entries(memberData).reverse());
      expect((await dcs.touchMember(shuffled)).kind).toBe('written');
      expect((await dcs.acquireLeader()).kind).toBe('held');
      expect((await dcs.initialize({ createNew: true })).kind).toBe('written');
      expect(await raw.get('/service/wire-out/initialize')).toBe('');
      expect((await dcs.initialize({ createNew: false, sysid: '7381234567890123456' })).kind).toBe('written');
      expect((await dcs.writeConfig({ ttl: 30, loop_wait: 10, postgresql: { use_pg_rewind: true } })).kind).toBe('written');
      expect((await dcs.writeFailover({ leader: 'node1', candidate: 'node2', scheduledAt: '2024-06-17T10:00:00+00:00' })).kind).toBe('written');
      const failoverBytes = await raw.get('/service/wire-out/failover');
      expect((await dcs.clearFailover()).kind).toBe('written');
      expect((await dcs.writeSync('node1', ['node3', 'node2'])).kind).toBe('written');
      expect((await dcs.writeStatus({ lastLsn: 67108960, slots: { perm: 123 } })).kind).toBe('written');
      expect((await dcs.writeHistory([[1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+02:00', 'node1']])).kind).toBe('written');
      expect((await dcs.writeFailsafe({ node1: 'http://127.0.0.1:8008/patroni' })).kind).toBe('written');

      const at = (key: string): Promise<string | null> => raw.get(`/service/wire-out/${key}`);
      expect(await at('leader')).toBe('node1');
      expect(await at('initialize')).toBe('7381234567890123456');
      expect(await at('config')).toBe('{"ttl":30,"loop_wait":10,"postgresql":{"use_pg_rewind":true}}');
      expect(failoverBytes).toBe('{"leader":"node1","member":"node2","scheduled_at":"2024-06-17T10:00:00+00:00"}');
      expect(await at('failover')).toBe('{}');
      expect(await at('sync')).toBe('{"leader":"node1","sync_standby":"node2,node3"}');
      expect(await at('status')).toBe('{"optime":67108960,"slots":{"perm":123}}');
      expect(await at('history')).toBe('[[1,25165984,"no recovery target specified","2024-06-17T10:11:12.123456+02:00","node1"]]');
      expect(await at('failsafe')).toBe('{"node1":"http://127.0.0.1:8008/patroni"}');
      expect(await at('members/node1')).toBe(
        '{"conn_url":"postgres://127.0.0.1:5432/postgres","api_url":"http://127.0.0.1:8008/patroni","state":"running",' +
          '"role":"master","version":"3.3.1","xlog_location":67108960,"timeline":2}',
      );

      // Leader and member keys share the agent's one lease; nothing else has a lease.
      const leases = new Map<string, string>();
      for (const kv of await raw.prefix('/service/wire-out/')) leases.set(kv.key.toString(), String(kv.lease));
      expect(leases.get('/service/wire-out/leader')).toBe(adapter.leaseId);
      expect(leases.get('/service/wire-out/members/node1')).toBe(adapter.leaseId);
      expect(adapter.leaseId).toMatch(/^[1-9]\d*$/);
      for (const key of ['initialize', 'config', 'failover', 'sync', 'status', 'history', 'failsafe']) {
        expect(leases.get(`/service/wire-out/${key}`), key).toBe('0');
      }

      // Versions are mod_revisions, sessions the lease ID in decimal.
      const cluster = await load(dcs);
      const leaderKv = await raw.kv('/service/wire-out/leader');
      expect(cluster.leader?.version).toBe(String(leaderKv!.mod_revision));
      expect(cluster.leader?.session).toBe(adapter.leaseId);
      expect(cluster.sync.syncStandbys).toEqual(['node2', 'node3']);
    } finally {
      await dcs.close();
    }
  });

  it('does not rewrite the leader key while leadership is stable', async () => {
    const adapter = await createAdapter(etcd, { scope: 'wire-stable', name: 'node1' });
    const dcs = dcsFor(adapter);
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
      const before = (await raw.kv('/service/wire-stable/leader'))!.mod_revision;
      for (let i = 0; i < 3; i++) expect((await dcs.refreshLeader(await load(dcs))).kind).toBe('held');
      expect((await dcs.touchMember({ state: 'running' })).kind).toBe('written');
      const memberBefore = (await raw.kv('/service/wire-stable/members/node1'))!.mod_revision;
      expect((await dcs.touchMember({ state: 'running' })).kind).toBe('written');
      expect((await raw.kv('/service/wire-stable/leader'))!.mod_revision).toBe(before);
      // An unchanged member value under the same lease is not written again.
      expect((await raw.kv('/service/wire-stable/members/node1'))!.mod_revision).toBe(memberBefore);
    } finally {
      await dcs.close();
    }
  });
});

describe('what Patroni writes', () => {
  it('reads back as the right snapshot', async () => {
    const base = '/service/wire-in';
    const lease = await raw.grant(30);
    await raw.put(`${base}/leader`, 'node1', lease);
    await raw.put(
      `${base}/members/node1`,
      '{"conn_url":"postgres://10.0.0.1:5432/postgres","api_url":"http://10.0.0.1:8008/patroni","state":"running","role":"master","version":"3.3.1","xlog_location":67108960,"timeline":2,"future_field":{"x":1}}',
      lease,
    );
    await raw.put(`${base}/members/node2`, 'postgres://replicator@10.0.0.2:5432/postgres?application_name=http://10.0.0.2:8008/patroni');
    await raw.put(`${base}/initialize`, '7381234567890123456');
    await raw.put(`${base}/config`, 'this is not json');
    await raw.put(`${base}/failover`, 'node1:node2');
    await raw.put(`${base}/status`, '67108960');
    await raw.put(`${base}/sync`, '{"leader":"node1","sync_standby":"node2"}');
    await raw.put(`${base}/history`, '[[1,25165984,"no recovery target specified"]]');
    await raw.put(`${base}/failsafe`, '{"node1":"http://10.0.0.1:8008/patroni"}');

    for (const readOnly of [false, true]) {
      const adapter = await createAdapter(etcd, { scope: 'wire-in', name: 'observer', readOnly });
      const dcs = dcsFor(adapter);
      try {
        const cluster = await load(dcs);
        expect(cluster.leader).toMatchObject({ name: 'node1', session: lease });
        expect(cluster.leader?.member.data).toMatchObject({ role: 'master', xlog_location: 67108960, future_field: { x: 1 } });
        expect(cluster.members.map((m) => m.name)).toEqual(['node1', 'node2']);
        expect(cluster.members[1]).toMatchObject({ session: null, data: { api_url: 'http://10.0.0.2:8008/patroni' } });
        expect(cluster.initialize).toBe('7381234567890123456');
        expect(cluster.config).toMatchObject({ data: {}, modifyVersion: '0' });
        expect(cluster.failover).toMatchObject({ leader: 'node1', candidate: 'node2' });
        expect(cluster.status).toMatchObject({ lastLsn: 67108960, slots: null });
        expect(cluster.sync).toMatchObject({ leader: 'node1', syncStandbys: ['node2'] });
        expect(cluster.history?.lines).toEqual([[1, 25165984, 'no recovery target specified']]);
        expect(cluster.failsafe).toEqual({ node1: 'http://10.0.0.1:8008/patroni' });
        // The cached read (after the watch is up) agrees with the linearizable one.
        if (!readOnly) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const cached = await dcs.loadCluster();
          expect(cached.kind).toBe('loaded');
          if (cached.kind === 'loaded') expect(cached.cluster).toEqual(cluster);
        }
      } finally {
        await dcs.close();
      }
    }
    // A Patroni member's lease, not ours: closing our adapters left its keys alone.
    expect(await raw.get(`${base}/leader`)).toBe('node1');
  });
});
