/**
 * The world's virtual clock: core's ManualClock semantics (timers fire in deadline order,
 * ties in the order they were set; 20 promise turns between two timers), with the pending
 * timers in a binary heap. Why: a run sets hundreds of thousands of timers (deadlines,
 * retries, leases) and cancels most of them; ManualClock scans and copies the whole list
 * for every timer it fires, which was the simulation's largest cost.
 */
import type { Clock, TimerHandle } from '../src/time/clock.js';

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Same base as ManualClock, so wall-clock stamps in logs and DCS values do not change. */
const WALL_START = Date.UTC(2026, 0, 1);

export class SimClock implements Clock {
  private current: number;
  private readonly wallOffset: number;
  private seq = 0;
  private readonly heap: PendingTimer[] = [];

  constructor(start = 0, wallStart = WALL_START) {
    this.current = start;
    this.wallOffset = wallStart - start;
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.current + this.wallOffset;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        timer.cancel();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The time of the next timer due, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.peek()?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, and lets
   * the promise callbacks they trigger run before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.peek();
      if (!due || due.at > target) break;
      this.pop();
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /**
   * `advance` to `target` for a caller that has just drained every pending promise callback
   * (`settled`) and drains them all again afterwards (World.runUntil). It skips the promise
   * turns that cannot change anything: before the first timer when nothing is pending, and
   * after the last, where the caller's drain runs the same callbacks in the same order.
   */
  async fireDue(target: number, settled: boolean): Promise<void> {
    // The turns are awaited here rather than in a helper: the same count (FLUSH_TURNS is
    // what `await flushMicrotasks()` takes), the same order, no promise per turn.
    if (!settled) for (let i = 0; i < FLUSH_TURNS; i++) await null;
    for (;;) {
      const due = this.peek();
      if (!due || due.at > target) break;
      this.pop();
      this.current = Math.max(this.current, due.at);
      due.fn();
      for (let i = 0; i < FLUSH_TURNS; i++) await null;
    }
    this.current = target;
  }

  /** The earliest live timer, dropping cancelled ones from the top. */
  private peek(): PendingTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(timer: PendingTimer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** The same number of promise turns as ManualClock, so callbacks interleave with timers as before. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** `await flushMicrotasks()`: its 20 turns and the one that resumes the caller. */
const FLUSH_TURNS = 21;
