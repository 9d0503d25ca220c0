/**
 * The context a DCS call carries into the in-memory server (MemoryDcs). The server only
 * reads the signal's `aborted` unless it makes the call wait (server frozen, node cut
 * off), so the signal handed over answers `aborted` from the call's DeadlineContext and
 * makes the real AbortSignal only when a listener is added. Why: an AbortSignal per call
 * was a visible share of a run, and the answer is the same.
 */
import type { DcsCallContext } from '../src/dcs/adapter.js';
import { DeadlineContext } from '../src/dcs/deadline-context.js';

type ServerSignal = Pick<AbortSignal, 'aborted' | 'reason' | 'addEventListener' | 'removeEventListener'>;

/** The four members of AbortSignal the server uses (memory-server.ts, gate). */
class DeferredSignal implements ServerSignal {
  constructor(private readonly ctx: DeadlineContext) {}

  get aborted(): boolean {
    return this.ctx.hasExpired;
  }

  get reason(): unknown {
    return this.ctx.signal.reason;
  }

  addEventListener(...args: Parameters<AbortSignal['addEventListener']>): void {
    this.ctx.signal.addEventListener(...args);
  }

  removeEventListener(...args: Parameters<AbortSignal['removeEventListener']>): void {
    this.ctx.signal.removeEventListener(...args);
  }
}

export function serverContext(ctx: DcsCallContext): DcsCallContext {
  if (!(ctx instanceof DeadlineContext)) return ctx;
  return { deadline: ctx.deadline, signal: new DeferredSignal(ctx) as ServerSignal as AbortSignal };
}
