/**
 * A leader whose DCS stops answering right after a renewal must find out and demote
 * before its guard (the fence) acts: the cycle's remaining DCS calls (/status, the member
 * key) end early enough for the next cycle's read and renewal and the demotion. Without
 * that bound they took retry_timeout each, and the guard stopped Postgres first.
 */
import { describe, expect, it } from 'vitest';
import type { DcsAdapter, DcsCallContext, LeaseGuard } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

const GUARD_MARGIN_MS = 5000;

/** Every call hangs until its deadline once `hang.on` is set (a DCS gone silent, not refusing). */
function hangingAdapter(inner: DcsAdapter, hang: { on: boolean; afterRefresh: boolean }): DcsAdapter {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close' || prop === 'abandon') return value;
      return (...args: unknown[]) => {
        const ctx = args.find((a): a is DcsCallContext => typeof a === 'object' && a !== null && 'signal' in a);
        if (!hang.on || !ctx) {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (prop === 'refreshLeader' && hang.afterRefresh) hang.on = true;
          return result;
        }
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
      };
    },
  });
}

describe('after a renewal, the rest of the cycle leaves time to demote before the guard acts', () => {
  it('the DCS goes silent right after the leader renewed: it demotes before validUntil − the guard margin', async () => {
    const hang = { on: false, afterRefresh: false };
    let armedUntil = 0;
    let stoppedAt: number | null = null;
    const guard: LeaseGuard = {
      readiness: () => null,
      activate: () => true,
      arm: async ({ validUntil }) => void (armedUntil = validUntil),
      disarm: async () => undefined,
      actsBeforeExpiryMs: () => GUARD_MARGIN_MS,
    };
    const w = world({ leaseGuard: () => guard, wrapAdapter: (a) => hangingAdapter(a, hang) });
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const stop = p1.stop.bind(p1);
    p1.stop = async (...args) => {
      stoppedAt ??= w.clock.now();
      return stop(...args);
    };
    const n1 = w.node('n1', p1);
    await w.step(n1);
    expect(w.key('leader')).toBe('n1');

    // The next renewal succeeds; every call after it hangs (ttl 30, loop_wait 10, retry_timeout 10).
    await w.clock.advance(10_000);
    hang.afterRefresh = true;
    const cycleStart = w.clock.now();
    await w.step(n1);
    expect(hang.on).toBe(true);
    const guardActsAt = armedUntil - GUARD_MARGIN_MS;
    // The loop sleeps out the rest of loop_wait (if any), then cycles until it demotes.
    await w.clock.advance(Math.max(0, cycleStart + 10_000 - w.clock.now()));
    for (let i = 0; i < 5 && stoppedAt === null; i++) await w.step(n1);
    expect(stoppedAt, 'the leader demoted itself').not.toBeNull();
    expect(stoppedAt!).toBeLessThan(guardActsAt);
  });
});
