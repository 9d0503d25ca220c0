/**
 * The context one adapter call gets: its deadline, and a signal that aborts at that
 * deadline. The AbortController behind the signal is made only when the adapter first
 * asks for the signal: a call that never looks at it (an in-process DCS answering at
 * once) costs no AbortSignal, which is far dearer than the rest of the call's
 * bookkeeping. Asked for after the deadline, the signal is already aborted.
 */
import type { DcsCallContext } from './adapter.js';

export class DeadlineContext implements DcsCallContext {
  private controller: AbortController | undefined;
  private expired: { readonly reason: unknown } | undefined;

  constructor(readonly deadline: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.expired) this.controller.abort(this.expired.reason);
    }
    return this.controller.signal;
  }

  /** Whether the deadline has come (the signal is aborted, or will be when asked for). */
  get hasExpired(): boolean {
    return this.expired !== undefined;
  }

  /** The deadline has come: listeners hear of it now, a later reader finds the signal aborted. */
  expire(reason: unknown): void {
    if (this.expired) return;
    this.expired = { reason };
    this.controller?.abort(reason);
  }
}

/** Whether a call's deadline has come, without making a signal for a DeadlineContext. */
export function callExpired(ctx: DcsCallContext): boolean {
  return ctx instanceof DeadlineContext ? ctx.hasExpired : ctx.signal.aborted;
}
