import { describe, expect, it } from 'vitest';
import { DeadlineContext, callExpired } from '../../src/dcs/deadline-context.js';

describe('DeadlineContext', () => {
  it('aborts a signal asked for before the deadline when the deadline comes, telling its listeners', () => {
    const ctx = new DeadlineContext(1000);
    const signal = ctx.signal;
    let heard: unknown;
    signal.addEventListener('abort', () => (heard = signal.reason), { once: true });
    expect(signal.aborted).toBe(false);
    expect(callExpired(ctx)).toBe(false);
    const reason = new Error('deadline');
    ctx.expire(reason);
    expect(signal.aborted).toBe(true);
    expect(heard).toBe(reason);
    expect(callExpired(ctx)).toBe(true);
  });

  it('hands out an aborted signal, with the reason, when first asked for after the deadline', () => {
    const ctx = new DeadlineContext(1000);
    const reason = new Error('deadline');
    ctx.expire(reason);
    expect(ctx.hasExpired).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
    expect(ctx.signal).toBe(ctx.signal);
  });

  it('answers callExpired from the signal for any other context', () => {
    const controller = new AbortController();
    const ctx = { signal: controller.signal, deadline: 5 };
    expect(callExpired(ctx)).toBe(false);
    controller.abort();
    expect(callExpired(ctx)).toBe(true);
  });
});
