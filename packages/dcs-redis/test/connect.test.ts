/**
 * create() as the agent calls it: a clear, typed error naming the server when Redis
 * cannot be reached or refuses the credentials; working auth and database selection.
 */
import { DcsError, systemClock, type DcsCallContext } from '@pgwarden/core';
import { freePort, redisCommands, startRedis, type RedisServer } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, standaloneSection } from './support/redis-target.js';

function ctx(ms = 3000): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

async function createError(promise: Promise<unknown>): Promise<DcsError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DcsError);
  return error as DcsError;
}

it('fails with a transient connection error naming the server when nothing listens', async () => {
  const port = await freePort();
  const start = systemClock.now();
  const error = await createError(createAdapter({ topology: { kind: 'standalone', host: { host: '127.0.0.1', port } }, db: 0 }, { name: 'a' }));
  expect(systemClock.now() - start).toBeLessThan(5000);
  expect(error.code).toBe('connection-failed');
  expect(error.transient).toBe(true);
  expect(error.message).toContain(`127.0.0.1:${port}`);
});

it('fails naming the master group when the sentinels do not know it', async () => {
  const port = await freePort();
  const error = await createError(
    createAdapter({ topology: { kind: 'sentinel', master: 'nosuch', sentinels: [{ host: '127.0.0.1', port }] }, db: 0 }, { name: 'a' }),
  );
  expect(error.message).toContain('sentinel master "nosuch"');
  expect(error.transient).toBe(true);
});

describe('with a password', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ args: ['--requirepass', 'sesame'] });
  });
  afterAll(async () => server.close());

  it('refuses a wrong password with a non-transient auth error that names the keys to fix', async () => {
    const error = await createError(createAdapter({ ...standaloneSection(server), password: 'wrong' }, { name: 'a' }));
    expect(error.code).toBe('auth-failed');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('redis.password');
    expect(error.message).not.toContain('wrong');
  });

  it('works with the right password, in the database it was given', async () => {
    const adapter = await createAdapter({ ...standaloneSection(server), password: 'sesame', db: 2 }, { scope: 'auth', name: 'a' });
    try {
      expect(await adapter.write('config', '{"ttl":30}', { kind: 'any' }, ctx())).toMatchObject({ kind: 'written' });
    } finally {
      await adapter.close();
    }
    const valueIn = async (db: number): Promise<unknown> =>
      (await redisCommands(server.port, [['AUTH', 'sesame'], ['SELECT', db], ['HGET', '/service/auth/config', 'value']]))[2];
    expect(await valueIn(2)).toBe('{"ttl":30}');
    expect(await valueIn(0)).toBeNull();
  });
});

