/**
 * Expiries are the one change no script of ours makes, so the watch must hear of them
 * from Redis itself (keyspace events), or, where CONFIG is refused, by polling.
 */
import { MemoryLogger, systemClock, type DcsCallContext, type DcsWatchEvent, type GuardedAdapter } from '@pgwarden/core';
import { waitFor } from '@pgwarden/core/testing';
import { redisCommand, startRedis, type RedisServer } from '@pgwarden/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAdapter, standaloneSection } from './support/redis-target.js';

function ctx(ms = 3000): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

let scopeCounter = 0;
const open: GuardedAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

async function pair(server: RedisServer, logger = new MemoryLogger()): Promise<{ a: GuardedAdapter; b: GuardedAdapter; events: { at: number; event: DcsWatchEvent }[]; logger: MemoryLogger }> {
  const scope = `expiry-${process.pid}-${++scopeCounter}`;
  const a = await createAdapter(standaloneSection(server), { scope, name: 'a', ttlSeconds: 2, logger });
  const b = await createAdapter(standaloneSection(server), { scope, name: 'b', ttlSeconds: 2, logger });
  open.push(a, b);
  const events: { at: number; event: DcsWatchEvent }[] = [];
  b.watch((event) => events.push({ at: systemClock.now(), event }));
  await new Promise((r) => setTimeout(r, 300)); // let the subscription establish
  return { a, b, events, logger };
}

describe('watch sees expiries', () => {
  let server: RedisServer | undefined;
  afterAll(async () => server?.close());

  it('sets notify-keyspace-events and reports an expired leader key as a delete, without anyone reading', async () => {
    server = await startRedis();
    const { a, events } = await pair(server);
    const flags = (await redisCommand(server.port, ['CONFIG', 'GET', 'notify-keyspace-events'])) as string[];
    expect(flags[1]).toMatch(/E/);
    expect(flags[1]).toMatch(/x|A/);

    const acquired = await a.acquireLeader(ctx());
    expect(acquired.kind).toBe('held');
    expect(await a.touchMember('{"state":"running"}', ctx())).toMatchObject({ kind: 'written' });
    await waitFor('the put event', async () => events.find((e) => e.event.key === 'leader' && e.event.type === 'put'), 5000, 20);
    await a.abandon(); // no refresh from now on: the key lives out its 2 s
    const abandonedAt = systemClock.now();

    const deleted = await waitFor('a delete event for the expired leader key', async () => events.find((e) => e.event.key === 'leader' && e.event.type === 'delete'), 10_000, 20);
    expect(deleted.at - abandonedAt).toBeLessThanOrEqual(2000 + 1000);
    await waitFor('a delete event for the expired member key', async () => events.find((e) => e.event.key === 'members/a' && e.event.type === 'delete'), 10_000, 20);
  });

  it('keeps flags an operator set and only adds the missing ones', async () => {
    server ??= await startRedis();
    await redisCommand(server.port, ['CONFIG', 'SET', 'notify-keyspace-events', 'Kg']);
    await pair(server);
    await waitFor(
      'the adapter to add E, x and e',
      async () => {
        const flags = String(((await redisCommand(server!.port, ['CONFIG', 'GET', 'notify-keyspace-events'])) as string[])[1]);
        return /K/.test(flags) && /g/.test(flags) && /E/.test(flags) && /x/.test(flags) && /e/.test(flags) ? flags : undefined;
      },
      5000,
    );
  });
});

describe('watch without keyspace events', () => {
  let server: RedisServer | undefined;
  afterAll(async () => server?.close());

  it('warns once and still reports an expired leader key, by polling, when CONFIG is disabled', async () => {
    server = await startRedis({ args: ['--rename-command', 'CONFIG', '""'] });
    const { a, events, logger } = await pair(server);
    await waitFor('the warning about keyspace events', async () => logger.messages('warn').find((m) => m.includes('notify-keyspace-events')), 5000);

    expect((await a.acquireLeader(ctx())).kind).toBe('held');
    await a.abandon();
    const abandonedAt = systemClock.now();
    const deleted = await waitFor('a delete event for the expired leader key', async () => events.find((e) => e.event.key === 'leader' && e.event.type === 'delete'), 10_000, 20);
    expect(deleted.at - abandonedAt).toBeLessThanOrEqual(2000 + 2000);
    // One warning per adapter, not one per poll.
    expect(logger.messages('warn').filter((m) => m.includes('notify-keyspace-events'))).toHaveLength(2);
  });
});
