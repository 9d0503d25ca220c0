/**
 * Wire compatibility with Patroni: the bytes pgwarden writes are what Patroni writes,
 * read back with a plain ZooKeeper client, and Patroni's bytes read as the right snapshot.
 */
import { startZooKeeper, type ZooKeeperServer } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshScope, member, ownerOf, rawClient, type Member, type RawZk } from './support.js';

describe('ZooKeeper wire format', () => {
  let zk: ZooKeeperServer;
  let raw: RawZk;
  const members: Member[] = [];

  beforeAll(async () => {
    zk = await startZooKeeper();
    raw = await rawClient(zk);
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.dcs.close()));
    await raw?.close();
    await zk?.close();
  });

  it('writes the bytes Patroni writes, leader and member as ephemerals of our session', async () => {
    const scope = freshScope('wire');
    const m = await member(zk, scope, 'node1');
    members.push(m);
    const base = `/service/${scope}`;
    const data = {
      conn_url: 'postgres://127.0.0.1:5432/postgres',
      api_url: 'http://127.0.0.1:8008/patroni',
      state: 'running',
      role: 'primary',
      version: '4.0.0',
      xlog_location: 67108960,
      timeline: 2,
    };
    expect((await m.dcs.touchMember(data)).kind).toBe('written');
    expect((await m.dcs.acquireLeader()).kind).toBe('held');
    expect((await m.dcs.clearFailover()).kind).toBe('written');
    expect((await m.dcs.writeSync('node1', ['node3', 'node2'])).kind).toBe('written');
    expect((await m.dcs.writeStatus({ lastLsn: 67108960, slots: { node2: 67108000 } })).kind).toBe('written');
    expect((await m.dcs.initialize({ createNew: true, sysid: '7381234567890123456' })).kind).toBe('written');
    expect((await m.dcs.writeConfig({ ttl: 30, loop_wait: 10, postgresql: { use_slots: true } })).kind).toBe('written');
    expect((await m.dcs.writeHistory([[1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+02:00', 'node1']])).kind).toBe('written');
    expect((await m.dcs.writeFailsafe({ node1: 'http://127.0.0.1:8008/patroni' })).kind).toBe('written');

    const leader = await raw.get(`${base}/leader`);
    expect(leader?.value.toString()).toBe('node1');
    const session = m.adapter.sessionId;
    expect(session).not.toBeNull();
    expect(ownerOf(leader!.stat)).toBe(session);

    const memberNode = await raw.get(`${base}/members/node1`);
    expect(memberNode?.value.toString()).toBe(
      '{"conn_url":"postgres://127.0.0.1:5432/postgres","api_url":"http://127.0.0.1:8008/patroni","state":"running",' +
        '"role":"primary","version":"4.0.0","xlog_location":67108960,"timeline":2}',
    );
    expect(ownerOf(memberNode!.stat)).toBe(session);

    expect(await raw.text(`${base}/failover`)).toBe('{}');
    expect(await raw.text(`${base}/sync`)).toBe('{"leader":"node1","sync_standby":"node2,node3"}');
    expect(await raw.text(`${base}/status`)).toBe('{"optime":67108960,"slots":{"node2":67108000}}');
    expect(await raw.text(`${base}/initialize`)).toBe('7381234567890123456');
    expect(await raw.text(`${base}/config`)).toBe('{"ttl":30,"loop_wait":10,"postgresql":{"use_slots":true}}');
    expect(await raw.text(`${base}/history`)).toBe('[[1,25165984,"no recovery target specified","2024-06-17T10:11:12.123456+02:00","node1"]]');
    expect(await raw.text(`${base}/failsafe`)).toBe('{"node1":"http://127.0.0.1:8008/patroni"}');
    // Persistent keys belong to no session; the parents were created persistent too.
    for (const key of ['failover', 'sync', 'status', 'initialize', 'config', 'history', 'failsafe', 'members']) {
      expect(ownerOf((await raw.get(`${base}/${key}`))!.stat), key).toBe('0');
    }
    expect(ownerOf((await raw.get(base))!.stat)).toBe('0');
  });

  it('reads what Patroni writes into the right snapshot', async () => {
    const scope = freshScope('patroni');
    const base = `/service/${scope}`;
    await raw.put(`${base}/initialize`, '7381234567890123456');
    await raw.put(`${base}/config`, '{"ttl":30,"loop_wait":10,"retry_timeout":10,"maximum_lag_on_failover":1048576}');
    await raw.put(`${base}/history`, '[[1,25165984,"no recovery target specified"],[2,50331744,"no recovery target specified","2024-06-17T10:11:12+00:00","node2"]]');
    await raw.put(`${base}/sync`, '{"leader":"node2","sync_standby":"node1"}');
    await raw.put(`${base}/status`, '{"optime":50331900,"slots":{"node1":50331800}}');
    await raw.put(`${base}/failover`, '{"leader":"node2","member":"node1","scheduled_at":"2024-06-17T10:00:00+00:00"}');
    await raw.put(`${base}/failsafe`, '{"node1":"http://10.0.0.1:8008/patroni","node2":"http://10.0.0.2:8008/patroni"}');
    await raw.put(`${base}/members`, '');
    await raw.createEphemeral(
      `${base}/members/node2`,
      '{"conn_url":"postgres://10.0.0.2:5432/postgres","api_url":"http://10.0.0.2:8008/patroni","state":"running","role":"master","version":"3.3.1","xlog_location":50331900,"timeline":3}',
    );
    await raw.createEphemeral(`${base}/leader`, 'node2');

    const m = await member(zk, scope, 'node1');
    members.push(m);
    const loaded = await m.dcs.loadCluster();
    if (loaded.kind !== 'loaded') throw loaded.cause;
    const c = loaded.cluster;
    const rawSession = raw.sessionId();
    const configNode = await raw.get(`${base}/config`);
    const historyNode = await raw.get(`${base}/history`);

    expect(c.initialize).toBe('7381234567890123456');
    expect(c.leader?.name).toBe('node2');
    expect(c.leader?.session).toBe(rawSession);
    expect(c.leader?.version).toBe('0');
    expect(c.leader?.member.data.role).toBe('master');
    expect(c.members.map((x) => [x.name, x.session])).toEqual([['node2', rawSession]]);
    expect(c.config?.data).toMatchObject({ ttl: 30, maximum_lag_on_failover: 1048576 });
    expect(c.config?.version).toBe(String(configNode!.stat.version));
    // modify_version is the mzxid, which changes even when a re-created node restarts at version 0.
    expect(c.config?.modifyVersion).toBe(configNode!.stat.mzxid.readBigInt64BE(0).toString());
    expect(c.history?.version).toBe(historyNode!.stat.mzxid.readBigInt64BE(0).toString());
    expect(c.history?.lines).toHaveLength(2);
    expect(c.sync).toMatchObject({ leader: 'node2', syncStandbys: ['node1'] });
    expect(c.status).toMatchObject({ lastLsn: 50331900, slots: { node1: 50331800 } });
    expect(c.failover).toMatchObject({ leader: 'node2', candidate: 'node1', scheduledAt: '2024-06-17T10:00:00+00:00' });
    expect(c.failsafe).toEqual({ node1: 'http://10.0.0.1:8008/patroni', node2: 'http://10.0.0.2:8008/patroni' });

    // The lock is Patroni's, held by another session: we can neither take nor renew it.
    expect(await m.dcs.acquireLeader()).toEqual({ kind: 'lost', reason: 'held-by-other', holder: 'node2' });
    expect(await m.dcs.refreshLeader(c)).toEqual({ kind: 'lost', reason: 'held-by-other', holder: 'node2' });
  });

  it('reads the legacy optime/leader key when status is absent', async () => {
    const scope = freshScope('optime');
    await raw.put(`/service/${scope}/optime/leader`, '67108960');
    const m = await member(zk, scope, 'node1');
    members.push(m);
    const loaded = await m.dcs.loadCluster();
    if (loaded.kind !== 'loaded') throw loaded.cause;
    expect(loaded.cluster.status.lastLsn).toBe(67108960);
  });
});
