/**
 * Core recognises DCS errors by their code, not by class identity: an adapter that
 * resolved a second copy of @pgwarden/core (or built its own error with the same code)
 * still gets its transient failures retried.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  callWithDeadline,
  Dcs,
  DcsError,
  dcsErrorCode,
  guardAdapter,
  isTransientDcsError,
  KeyLayout,
  ManualClock,
  MemoryDcs,
  MemoryDcsServer,
  type DcsCallContext,
  type RawSnapshot,
  type Unavailable,
} from '../../src/index.js';

/** A second copy of the built package: its own module instance, its own DcsError class. */
async function secondCopy(): Promise<typeof import('../../src/index.js')> {
  const url = `${pathToFileURL(new URL('../../dist/index.js', import.meta.url).pathname).href}?second-copy`;
  try {
    return (await import(/* @vite-ignore */ url)) as typeof import('../../src/index.js');
  } catch (error) {
    throw new Error(`cannot load core's built copy (${url}): run 'pnpm --filter @pgwarden/core build' first`, { cause: error });
  }
}

/** Counts attempts of one call that always fails with `error`, retried on a manual clock. */
async function attemptsUntilGiveUp(fail: () => Promise<never> | Promise<Unavailable>): Promise<{ attempts: number; outcome: Unavailable }> {
  const clock = new ManualClock();
  let attempts = 0;
  const done = callWithDeadline<{ kind: 'ok' }>(
    () => {
      attempts++;
      return fail();
    },
    { clock, random: () => 0, budgetMs: 3000, retry: true, what: 'read' },
  );
  await clock.advance(3000);
  return { attempts, outcome: (await done) as Unavailable };
}

describe('DCS errors recognised by code', () => {
  it('loads a second copy whose DcsError is another class', async () => {
    const copy = await secondCopy();
    expect(copy.DcsError).not.toBe(DcsError);
    expect(new copy.DcsError('connection-failed', 'x')).not.toBeInstanceOf(DcsError);
  });

  it('retries a transient error thrown by a second copy, and keeps its code', async () => {
    const copy = await secondCopy();
    const { attempts, outcome } = await attemptsUntilGiveUp(() => Promise.reject(new copy.DcsError('connection-failed', 'refused')));
    expect(attempts).toBeGreaterThan(3);
    expect(outcome.cause).toBeInstanceOf(DcsError);
    expect(outcome.cause.code).toBe('connection-failed');
  });

  it('retries a transient error returned inside an unavailable outcome by a second copy', async () => {
    const copy = await secondCopy();
    const { attempts } = await attemptsUntilGiveUp(async () => copy.unavailable(new copy.DcsError('server-unavailable', 'electing')) as unknown as Unavailable);
    expect(attempts).toBeGreaterThan(3);
  });

  it('retries a plain error object carrying a transient code, and not one carrying auth-failed', async () => {
    const plain = (code: string, transient?: boolean) => Object.assign(new Error(`plain ${code}`), { code, ...(transient !== undefined && { transient }) });
    expect((await attemptsUntilGiveUp(() => Promise.reject(plain('connection-failed')))).attempts).toBeGreaterThan(3);
    expect((await attemptsUntilGiveUp(() => Promise.reject(plain('auth-failed')))).attempts).toBe(1);
    expect((await attemptsUntilGiveUp(() => Promise.reject(plain('connection-failed', false)))).attempts).toBe(1);
    // A code that is not a DCS code is a failed request, not retried.
    expect((await attemptsUntilGiveUp(() => Promise.reject(plain('ECONNRESET')))).attempts).toBe(1);
  });

  it('answers dcsErrorCode and isTransientDcsError from the code and the transient flag', async () => {
    const copy = await secondCopy();
    expect(dcsErrorCode(new copy.DcsError('closed', 'x'))).toBe('closed');
    expect(isTransientDcsError(new copy.DcsError('closed', 'x'))).toBe(false);
    expect(isTransientDcsError(new copy.DcsError('deadline-exceeded', 'x'))).toBe(true);
    expect(isTransientDcsError({ code: 'server-unavailable' })).toBe(true);
    expect(dcsErrorCode(new Error('no code'))).toBeUndefined();
    expect(dcsErrorCode({ code: 'invalid-config' })).toBeUndefined();
    expect(isTransientDcsError('connection-failed')).toBe(false);
  });

  it('retries through the guard and Dcs, end to end, when a second copy made the error', async () => {
    const copy = await secondCopy();
    const server = new MemoryDcsServer();
    const raw = new MemoryDcs({ server, layout: new KeyLayout({ scope: 'by-code' }), name: 'a', ttlSeconds: 10 });
    let failures = 2;
    const flaky = Object.assign(Object.create(raw) as MemoryDcs, {
      async read(ctx: DcsCallContext): Promise<RawSnapshot> {
        if (failures-- > 0) throw new copy.DcsError('connection-failed', 'connection reset');
        return raw.read(ctx);
      },
    });
    const dcs = new Dcs({ adapter: guardAdapter(flaky), timing: { ttl: 10, loopWait: 1, retryTimeout: 5 } });
    const loaded = await dcs.loadCluster();
    expect(loaded.kind).toBe('loaded');
    expect(failures).toBe(-1);
    await dcs.close();
  });
});
