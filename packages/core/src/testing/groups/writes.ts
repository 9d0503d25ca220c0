import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import { isFailoverEmpty } from '../../dcs/cluster.js';
import type { WriteOutcome } from '../../dcs/outcomes.js';
import type { KitContext } from '../context.js';
import { load } from '../harness.js';

function written(outcome: WriteOutcome): void {
  expect(outcome.kind, outcome.kind === 'unavailable' ? outcome.cause.message : '').toBe('written');
}

/** Persistent keys: create-if-absent, CAS on the version, and Patroni's value formats. */
export function writesGroup(kit: KitContext, test: KitTest): void {
  test('writes.initialize', 'creates initialize only if absent, then overwrites it with the sysid', async () => {
    const cluster = kit.cluster('initialize');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    written(await a.dcs.initialize({ createNew: true }));
    expect(await b.dcs.initialize({ createNew: true, sysid: '1' })).toEqual({ kind: 'conflict' });
    written(await a.dcs.initialize({ createNew: false, sysid: '7381234567890123456' }));
    expect((await load(b)).initialize).toBe('7381234567890123456');
    written(await a.dcs.cancelInitialization());
    expect((await load(b)).initialize).toBeNull();
  });

  test('writes.cas-stale', 'refuses a CAS write with a stale version and keeps the newer value', async () => {
    const cluster = kit.cluster('cas');
    const a = await cluster.member('a');
    written(await a.dcs.writeConfig({ ttl: 30 }));
    const v1 = (await load(a)).config!.version;
    written(await a.dcs.writeConfig({ ttl: 31 }, v1));
    expect(await a.dcs.writeConfig({ ttl: 32 }, v1)).toEqual({ kind: 'conflict' });
    const config = (await load(a)).config!;
    expect(config.data).toEqual({ ttl: 31 });
    expect(config.modifyVersion).not.toBe('0');
    expect(config.version).not.toBe(v1);
  });

  test('writes.cas-missing', 'refuses a CAS write to a key that does not exist', async () => {
    const a = await kit.cluster('cas-missing').member('a');
    written(await a.dcs.writeConfig({ ttl: 30 }));
    const version = (await load(a)).config!.version;
    expect((await a.dcs.clearFailover(version)).kind).toBe('conflict');
    expect((await load(a)).failover).toBeNull();
  });

  test('writes.cas-delete', 'refuses a delete with a stale version and keeps the key', async () => {
    const a = await kit.cluster('cas-delete').member('a');
    written(await a.dcs.writeSync('a', ['b']));
    const v1 = (await load(a)).sync.version!;
    written(await a.dcs.writeSync('a', ['c'], v1));
    expect(await a.dcs.deleteSync(v1)).toEqual({ kind: 'conflict' });
    const kept = (await load(a)).sync;
    expect(kept).toMatchObject({ leader: 'a', syncStandbys: ['c'] });
    written(await a.dcs.deleteSync(kept.version!));
    expect((await load(a)).sync).toMatchObject({ leader: null, syncStandbys: [] });
  });

  test('writes.failover', 'writes a switchover request and clears it with {}', async () => {
    const a = await kit.cluster('failover').member('a');
    written(await a.dcs.writeFailover({ leader: 'a', candidate: 'b', scheduledAt: '2024-06-17T10:00:00+00:00' }));
    const requested = (await load(a)).failover!;
    expect(requested).toMatchObject({ leader: 'a', candidate: 'b', scheduledAt: '2024-06-17T10:00:00+00:00' });
    written(await a.dcs.clearFailover(requested.version));
    const cleared = (await load(a)).failover;
    expect(cleared).not.toBeNull();
    expect(isFailoverEmpty(cleared)).toBe(true);
  });

  test('writes.sync', 'keeps sync standbys sorted, CASes on the sync version, and deletes the state', async () => {
    const a = await kit.cluster('sync').member('a');
    written(await a.dcs.writeSync('a', ['c', 'b']));
    const first = (await load(a)).sync;
    expect(first).toMatchObject({ leader: 'a', syncStandbys: ['b', 'c'] });
    expect(first.version).not.toBeNull();
    written(await a.dcs.writeSync('a', ['b'], first.version!));
    expect(await a.dcs.writeSync('a', ['c'], first.version!)).toEqual({ kind: 'conflict' });
    const second = (await load(a)).sync;
    expect(second.syncStandbys).toEqual(['b']);
    written(await a.dcs.deleteSync(second.version!));
    expect((await load(a)).sync).toMatchObject({ leader: null, syncStandbys: [] });
  });

  test('writes.formats', 'round-trips status, history and failsafe', async () => {
    const a = await kit.cluster('status').member('a');
    written(await a.dcs.writeStatus({ lastLsn: 67108960, slots: { perm: 123 } }));
    written(await a.dcs.writeHistory([[1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+02:00', 'a']]));
    written(await a.dcs.writeFailsafe({ a: 'http://127.0.0.1:8008/patroni', b: 'http://127.0.0.1:8009/patroni' }));
    const seen = await load(a);
    expect(seen.status).toMatchObject({ lastLsn: 67108960, slots: { perm: 123 } });
    expect(seen.history?.lines).toEqual([[1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+02:00', 'a']]);
    expect(seen.failsafe).toEqual({ a: 'http://127.0.0.1:8008/patroni', b: 'http://127.0.0.1:8009/patroni' });
  });

  test('writes.member', 'binds the member key to the session and updates it in place', async () => {
    const cluster = kit.cluster('member');
    const a = await cluster.member('a');
    written(await a.dcs.touchMember({ state: 'starting', role: 'replica', version: '4.0.0' }));
    written(await a.dcs.touchMember({ state: 'running', role: 'replica', version: '4.0.0', xlog_location: 1024 }));
    const seen = await load(a);
    expect(seen.members).toHaveLength(1);
    expect(seen.members[0]).toMatchObject({ name: 'a', data: { state: 'running', xlog_location: 1024 } });
    expect(seen.members[0]!.session).not.toBeNull();
  });

  test('writes.delete-cluster', 'deletes every key of its own cluster and nothing of another', async () => {
    const mine = await kit.cluster('delete').member('a');
    const other = await kit.cluster('delete-other').member('b');
    written(await mine.dcs.writeConfig({ ttl: 30 }));
    written(await other.dcs.writeConfig({ ttl: 30 }));
    await mine.dcs.touchMember({ state: 'running' });
    written(await mine.dcs.deleteCluster());
    const gone = await load(mine);
    expect(gone.config).toBeNull();
    expect(gone.members).toHaveLength(0);
    expect((await load(other)).config?.data).toEqual({ ttl: 30 });
  });
}
