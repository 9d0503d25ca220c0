import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import { load } from '../harness.js';

/** Patroni's exact key paths (spec/dcs.md §2): other Patroni tools read them by name. */
export function layoutGroup(kit: KitContext, test: KitTest): void {
  test('layout.paths', 'writes every key at the path Patroni uses', async () => {
    const cluster = kit.cluster('layout');
    const a = await cluster.member('node1');
    await a.dcs.touchMember({ conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'primary', version: '4.0.0' });
    expect((await a.dcs.acquireLeader()).kind).toBe('held');
    expect((await a.dcs.initialize({ createNew: true, sysid: '7381234567890123456' })).kind).toBe('written');
    expect((await a.dcs.writeConfig({ ttl: 30 })).kind).toBe('written');
    expect((await a.dcs.clearFailover()).kind).toBe('written');
    expect((await a.dcs.writeSync('node1', [])).kind).toBe('written');
    expect((await a.dcs.writeStatus({ lastLsn: 100, slots: null })).kind).toBe('written');
    expect((await a.dcs.writeHistory([[1, 100, 'no recovery target specified']])).kind).toBe('written');
    expect((await a.dcs.writeFailsafe({ node1: 'http://127.0.0.1:8008/patroni' })).kind).toBe('written');

    const base = `${kit.target().leadingSlash ? '/' : ''}service/${cluster.scope}`;
    const raw = (key: string): Promise<string | null> => kit.target().readRaw(`${base}/${key}`);
    expect(await raw('leader')).toBe('node1');
    expect(JSON.parse((await raw('members/node1')) ?? 'null')).toMatchObject({ api_url: 'http://127.0.0.1:8008/patroni', role: 'primary' });
    expect(await raw('initialize')).toBe('7381234567890123456');
    expect(await raw('config')).toBe('{"ttl":30}');
    expect(await raw('failover')).toBe('{}');
    expect(await raw('sync')).toBe('{"leader":"node1","sync_standby":null}');
    expect(await raw('status')).toBe('{"optime":100}');
    expect(await raw('history')).toBe('[[1,100,"no recovery target specified"]]');
    expect(await raw('failsafe')).toBe('{"node1":"http://127.0.0.1:8008/patroni"}');
  });

  test('layout.prefix', 'normalises the namespace and never reads a cluster whose name merely starts the same', async () => {
    const cluster = kit.cluster('prefix', { namespace: 'service//' });
    // Same namespace written another way; a scope that `cluster`'s scope is a prefix of.
    const longer = kit.cluster('prefix', { namespace: '/service/', scope: `${cluster.scope}2` });
    const a = await cluster.member('a');
    await a.dcs.touchMember({ state: 'running' });
    const b = await longer.member('b');
    await b.dcs.touchMember({ state: 'running' });
    expect(a.layout.prefix).toBe(`${kit.target().leadingSlash ? '/' : ''}service/${cluster.scope}/`);
    expect((await load(a)).members.map((m) => m.name)).toEqual(['a']);
    expect((await load(b)).members.map((m) => m.name)).toEqual(['b']);
  });

  test('layout.initialize-empty', 'tells an absent initialize key from an empty one', async () => {
    const a = await kit.cluster('init').member('a');
    expect((await load(a)).initialize).toBeNull();
    expect((await a.dcs.initialize({ createNew: true })).kind).toBe('written');
    expect((await load(a)).initialize).toBe('');
  });
}
