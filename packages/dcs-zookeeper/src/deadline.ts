/**
 * Call contexts for the adapter's own work (connecting at start, background re-arming
 * of watches): core hands every verb a context, but these run outside any verb.
 */
import type { Clock, DcsCallContext } from '@pgwarden/core';

export interface OwnContext extends DcsCallContext {
  /** Stops the timer; call when the work is done. */
  done(): void;
}

export function contextFor(clock: Clock, ms: number, reason: string): OwnContext {
  const controller = new AbortController();
  const timer = clock.setTimer(ms, () => controller.abort(new Error(reason)));
  return { signal: controller.signal, deadline: clock.now() + ms, done: () => timer.cancel() };
}

/** A context that ends at `fraction` of what is left of `ctx` (or with `ctx`), leaving the rest to the caller. */
export function shareOf(clock: Clock, ctx: DcsCallContext, fraction: number): OwnContext {
  const own = contextFor(clock, Math.max(0, (ctx.deadline - clock.now()) * fraction), 'deadline');
  return { signal: AbortSignal.any([ctx.signal, own.signal]), deadline: own.deadline, done: own.done };
}
