/**
 * The adapter itself honours each call's deadline (core also races it, but a call that
 * never settles would pile up): with Redis SIGSTOPped, every verb rejects with
 * `deadline-exceeded` at the deadline, names the server, and works again once Redis runs.
 */
import { DcsError, systemClock, type DcsCallContext } from '@pgwarden/core';
import { startRedis, type RedisServer } from '@pgwarden/testkit';
import { afterAll, expect, it } from 'vitest';
import type { RedisDcs } from '../src/index.js';
import { createAdapter, rawOf, standaloneSection } from './support/redis-target.js';

const DEADLINE_MS = 400;
const SLACK_MS = 250;

function ctx(ms: number): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

let server: RedisServer | undefined;
let adapter: RedisDcs | undefined;
afterAll(async () => {
  await server?.thaw().catch(() => undefined);
  await adapter?.close();
  await server?.close();
});

it('rejects every verb with deadline-exceeded at its deadline while Redis is frozen, then recovers', async () => {
  server = await startRedis();
  // The adapter inside the guard: it must honour deadlines by itself.
  const a = (adapter = rawOf(await createAdapter(standaloneSection(server), { scope: 'deadline', name: 'a', ttlSeconds: 5 })));
  expect((await a.acquireLeader(ctx(3000))).kind).toBe('held');

  const verbs: Record<string, (c: DcsCallContext) => Promise<unknown>> = {
    read: (c) => a.read(c, { linearizable: true }),
    acquireLeader: (c) => a.acquireLeader(c),
    refreshLeader: (c) => a.refreshLeader(null, c),
    releaseLeader: (c) => a.releaseLeader(c),
    takeLeader: (c) => a.takeLeader(c),
    touchMember: (c) => a.touchMember('{}', c),
    write: (c) => a.write('config', '{"ttl":30}', { kind: 'any' }, c),
    remove: (c) => a.remove('failover', { kind: 'version', version: '1' }, c),
    removeCluster: (c) => a.removeCluster(c),
  };
  await server.freeze();
  try {
    const results = await Promise.all(
      Object.entries(verbs).map(async ([verb, call]) => {
        const start = systemClock.now();
        const error = await call(ctx(DEADLINE_MS)).then(
          () => null,
          (e: unknown) => e,
        );
        return { verb, error, elapsed: systemClock.now() - start };
      }),
    );
    for (const { verb, error, elapsed } of results) {
      expect(error, verb).toBeInstanceOf(DcsError);
      expect((error as DcsError).code, verb).toBe('deadline-exceeded');
      expect((error as DcsError).message, verb).toContain('127.0.0.1');
      expect(elapsed, `${verb} took ${Math.round(elapsed)} ms`).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(elapsed, `${verb} took ${Math.round(elapsed)} ms`).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    }
  } finally {
    await server.thaw();
  }
  // The commands sent before the deadlines still run once Redis wakes (release, delete
  // cluster…): what is checked here is only that the adapter answers again.
  expect(await a.write('config', '{"ttl":31}', { kind: 'any' }, ctx(3000))).toMatchObject({ kind: 'written' });
  const snapshot = await a.read(ctx(3000), { linearizable: true });
  expect(snapshot.entries.find((e) => e.key === 'config')?.value).toBe('{"ttl":31}');
});
