import { describe, expect, it } from 'vitest';
import { DcsError, ManualClock, callWithDeadline, seededRandom, type DcsCallContext, type Unavailable } from '../../src/index.js';

type Ok = { kind: 'ok' };
const transient = (): Unavailable => ({ kind: 'unavailable', cause: new DcsError('connection-failed', 'refused') });

describe('callWithDeadline', () => {
  it('retries transient failures with backoff 0.1 s doubling to 1 s, plus at most 0.8 s jitter', async () => {
    const clock = new ManualClock();
    const starts: number[] = [];
    const attempt = async (): Promise<Ok | Unavailable> => {
      starts.push(clock.now());
      return transient();
    };
    const done = callWithDeadline(attempt, { clock, random: () => 0, budgetMs: 10_000, retry: true, what: 'test' });
    await clock.advance(10_000);
    const result = await done;
    expect(result.kind).toBe('unavailable');
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    expect(gaps.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(starts.at(-1)!).toBeLessThan(10_000);
    expect((result as Unavailable).cause.message).toMatch(/gave up after \d+ attempts/);
  });

  it('adds jitter from the injected random source', async () => {
    const clock = new ManualClock();
    const starts: number[] = [];
    const done = callWithDeadline(
      async () => {
        starts.push(clock.now());
        return starts.length < 3 ? transient() : ({ kind: 'ok' } as Ok);
      },
      { clock, random: () => 0.5, budgetMs: 10_000, retry: true, what: 'test' },
    );
    await clock.advance(5000);
    expect((await done).kind).toBe('ok');
    expect(starts).toEqual([0, 500, 1100]);
  });

  it('does not retry a failure that is not transient, nor a one-shot call', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const permanent = async (): Promise<Ok | Unavailable> => {
      calls++;
      return { kind: 'unavailable', cause: new DcsError('auth-failed', 'bad password') };
    };
    expect((await callWithDeadline(permanent, { clock, random: Math.random, budgetMs: 5000, retry: true, what: 't' })).kind).toBe('unavailable');
    expect(calls).toBe(1);
    const oneShot = async (): Promise<Ok | Unavailable> => {
      calls++;
      return transient();
    };
    expect((await callWithDeadline(oneShot, { clock, random: Math.random, budgetMs: 5000, retry: false, what: 't' })).kind).toBe('unavailable');
    expect(calls).toBe(2);
  });

  it('answers unavailable at the deadline when the adapter never answers, and aborts its signal', async () => {
    const clock = new ManualClock();
    let signal: AbortSignal | undefined;
    const hang = (ctx: DcsCallContext): Promise<Ok> => {
      signal = ctx.signal;
      return new Promise<Ok>(() => {});
    };
    const done = callWithDeadline(hang, { clock, random: seededRandom(1), budgetMs: 3000, retry: true, what: 'refreshLeader' });
    await clock.advance(2999);
    let settled = false;
    void done.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    const result = await done;
    expect(result).toMatchObject({ kind: 'unavailable', cause: { code: 'deadline-exceeded' } });
    expect(signal?.aborted).toBe(true);
  });

  it('turns a thrown error into unavailable instead of letting it escape', async () => {
    const clock = new ManualClock();
    const result = await callWithDeadline(
      async (): Promise<Ok> => {
        throw new Error('socket hang up');
      },
      { clock, random: Math.random, budgetMs: 1000, retry: false, what: 'loadCluster' },
    );
    expect(result).toMatchObject({ kind: 'unavailable', cause: { code: 'request-failed' } });
    expect((result as Unavailable).cause.message).toContain('loadCluster: socket hang up');
  });
});
