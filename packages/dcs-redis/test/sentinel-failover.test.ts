/**
 * A Sentinel failover in the middle of an agent's work: while it happens every call
 * answers by its deadline (held or unavailable, never a hang), and afterwards the same
 * adapters talk to the new master: the lock is still ours, writes land there, and the
 * watch (puts and expiries) works there.
 */
import { Dcs, systemClock, type DcsWatchEvent, type GuardedAdapter, type LockOutcome } from '@pgwarden/core';
import { waitFor } from '@pgwarden/core/testing';
import { redisCommand, startRedisSentinel, type RedisSentinelGroup } from '@pgwarden/testkit';
import { afterAll, expect, it } from 'vitest';
import { createAdapter, rawValue, sentinelSection } from './support/redis-target.js';

const RETRY_TIMEOUT_S = 3;
const SLACK_MS = 500;

let group: RedisSentinelGroup | undefined;
const adapters: GuardedAdapter[] = [];
afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.abandon()));
  await group?.close();
});

function dcsFor(adapter: GuardedAdapter, ttl: number): Dcs {
  return new Dcs({ adapter, timing: { ttl, loopWait: 1, retryTimeout: RETRY_TIMEOUT_S } });
}

it('keeps the lock and the watch across a Sentinel failover, answering every call by its deadline', async () => {
  group = await startRedisSentinel();
  const section = sentinelSection(group);
  const scope = `failover-${process.pid}`;
  const leaderPath = `/service/${scope}/leader`;
  const a = await createAdapter(section, { scope, name: 'a', ttlSeconds: 5, retryTimeoutSeconds: RETRY_TIMEOUT_S });
  const b = await createAdapter(section, { scope, name: 'b', ttlSeconds: 5, retryTimeoutSeconds: RETRY_TIMEOUT_S });
  adapters.push(a, b);
  const da = dcsFor(a, 5);
  const db = dcsFor(b, 5);
  const events: DcsWatchEvent[] = [];
  db.onChange((event) => events.push(event));

  expect((await da.acquireLeader()).kind).toBe('held');
  expect((await da.touchMember({ state: 'running', role: 'primary' })).kind).toBe('written');
  expect((await db.writeConfig({ ttl: 5 })).kind).toBe('written');
  const oldMaster = await group.master();
  const replica = group.servers.find((s) => s !== oldMaster)!;
  // Replication is asynchronous: fail over only once the replica has the lock.
  await waitFor('the replica to hold the leader key', async () => ((await rawValue(replica.port, leaderPath)) === 'a' ? true : undefined), 10_000);

  // The HA loop keeps refreshing while the failover runs.
  const outcomes: { kind: LockOutcome['kind']; ms: number }[] = [];
  let refreshing = true;
  const loop = (async () => {
    while (refreshing) {
      const start = systemClock.now();
      const outcome = await da.refreshLeader(null);
      outcomes.push({ kind: outcome.kind, ms: systemClock.now() - start });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const newMaster = await group.failover();
  expect(newMaster.port).toBe(replica.port);
  // The adapter finds the new master on its own.
  await waitFor('a refresh on the new master', async () => ((await da.refreshLeader(null)).kind === 'held' ? true : undefined), 30_000, 200);
  await new Promise((r) => setTimeout(r, 500));
  refreshing = false;
  await loop;

  for (const o of outcomes) {
    expect(['held', 'unavailable'], `a refresh during the failover said ${o.kind}`).toContain(o.kind);
    expect(o.ms).toBeLessThanOrEqual(RETRY_TIMEOUT_S * 1000 + SLACK_MS);
  }
  expect(outcomes.at(-1)?.kind).toBe('held');

  // Writes go to the new master.
  const role = (await redisCommand(newMaster.port, ['ROLE'])) as unknown[];
  expect(role[0]).toBe('master');
  expect((await db.writeConfig({ ttl: 6 })).kind).toBe('written');
  expect(await rawValue(newMaster.port, `/service/${scope}/config`)).toBe('{"ttl":6}');
  await waitFor('the config put event from the new master', async () => events.find((e) => e.key === 'config' && e.type === 'put'), 10_000, 20);

  // Keyspace events are on at the new master too: an abandoned lock's expiry wakes b.
  const seen = events.length;
  await a.abandon();
  await waitFor(
    'the delete event of the expired leader key on the new master',
    async () => events.slice(seen).find((e) => e.key === 'leader' && e.type === 'delete'),
    15_000,
    20,
  );
  const flags = (await redisCommand(newMaster.port, ['CONFIG', 'GET', 'notify-keyspace-events'])) as string[];
  expect(flags[1]).toMatch(/E/);
  expect((await db.acquireLeader()).kind).toBe('held');
});
