/**
 * How the adapter stores Patroni's keys in Redis (a hash per key with value, version
 * and session) and why versions come from one counter per cluster: they only grow, so
 * a compare-and-set with a version read before the key was deleted and re-created
 * cannot match.
 */
import { systemClock, type DcsCallContext } from '@pgwarden/core';
import { redisCommand, startRedis, type RedisServer } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisDcs } from '../src/index.js';
import { createAdapter, rawOf, standaloneSection } from './support/redis-target.js';

function ctx(ms = 3000): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

let server: RedisServer;
let a: RedisDcs;
beforeAll(async () => {
  server = await startRedis();
  a = rawOf(await createAdapter(standaloneSection(server), { scope: 'storage', name: 'node1', ttlSeconds: 7 }));
});
afterAll(async () => {
  await a.close();
  await server.close();
});

it('keeps each Patroni key as a hash at its path, session keys with the ttl', async () => {
  expect((await a.acquireLeader(ctx())).kind).toBe('held');
  await a.touchMember('{"role":"primary"}', ctx());
  await a.write('config', '{"ttl":7}', { kind: 'any' }, ctx());
  const leader = (await redisCommand(server.port, ['HGETALL', '/service/storage/leader'])) as string[];
  expect(leader).toEqual(['value', 'node1', 'version', expect.stringMatching(/^\d+$/), 'session', a.session]);
  const ttl = Number(await redisCommand(server.port, ['PTTL', '/service/storage/members/node1']));
  expect(ttl).toBeGreaterThan(5000);
  expect(ttl).toBeLessThanOrEqual(7000);
  expect(await redisCommand(server.port, ['PTTL', '/service/storage/config'])).toBe(-1);
  expect(await redisCommand(server.port, ['HGET', '/service/storage/config', 'session'])).toBe('');
});

it('never hands out a version twice, even across deleteCluster', async () => {
  expect(await a.write('failover', '{}', { kind: 'any' }, ctx())).toMatchObject({ kind: 'written' });
  const before = (await a.read(ctx(), { linearizable: true })).entries.find((e) => e.key === 'failover')!.version;
  expect((await a.removeCluster(ctx())).kind).toBe('written');
  expect((await a.read(ctx(), { linearizable: true })).entries).toEqual([]);
  const recreated = await a.write('failover', '{}', { kind: 'absent' }, ctx());
  expect(recreated.kind).toBe('written');
  expect(Number((recreated as { version: string }).version)).toBeGreaterThan(Number(before));
  // A CAS with the version from before the delete must not match the new key.
  expect(await a.write('failover', '{"member":"x"}', { kind: 'version', version: before }, ctx())).toEqual({ kind: 'conflict' });
});

it('treats touching an unchanged member value as a renewal, not a new version', async () => {
  const first = await a.touchMember('{"state":"running"}', ctx());
  const again = await a.touchMember('{"state":"running"}', ctx());
  const changed = await a.touchMember('{"state":"stopping"}', ctx());
  expect(again).toEqual(first);
  expect(Number((changed as { version: string }).version)).toBeGreaterThan(Number((first as { version: string }).version));
});

it('removes only its own session keys on close', async () => {
  const b = await createAdapter(standaloneSection(server), { scope: 'storage', name: 'node2', ttlSeconds: 7 });
  await b.touchMember('{}', ctx());
  expect((await b.acquireLeader(ctx())).kind).toBe('held');
  await a.touchMember('{"state":"running"}', ctx());
  await b.close();
  const keys = (await a.read(ctx(), { linearizable: true })).entries.map((e) => e.key).sort();
  expect(keys).toContain('members/node1');
  expect(keys).not.toContain('members/node2');
  expect(keys).not.toContain('leader');
});

it("takes its own leader key back from a dead process's session, never another member's", async () => {
  const before = rawOf(await createAdapter(standaloneSection(server), { scope: 'reclaim', name: 'n1', ttlSeconds: 7 }));
  expect((await before.acquireLeader(ctx())).kind).toBe('held');
  const deadSession = before.session;
  before.abandon(); // the agent process dies: nothing renews or releases the key
  const other = rawOf(await createAdapter(standaloneSection(server), { scope: 'reclaim', name: 'n2', ttlSeconds: 7 }));
  expect(await other.refreshLeader(null, ctx())).toMatchObject({ kind: 'lost', reason: 'held-by-other', holder: 'n1' });
  expect(await redisCommand(server.port, ['HGET', '/service/reclaim/leader', 'session'])).toBe(deadSession);

  const after = rawOf(await createAdapter(standaloneSection(server), { scope: 'reclaim', name: 'n1', ttlSeconds: 7 }));
  expect((await after.refreshLeader(null, ctx())).kind).toBe('held');
  expect(await redisCommand(server.port, ['HGET', '/service/reclaim/leader', 'session'])).toBe(after.session);
  expect(after.session).not.toBe(deadSession);
  await other.close();
  await after.close();
});
