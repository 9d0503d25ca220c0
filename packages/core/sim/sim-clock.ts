/**
 * The world's virtual clock: core's ManualClock semantics (timers fire in deadline order,
 * ties in the order they were set; 20 promise turns between two timers), with the pending
 * timers in a binary heap. Why: a run sets hundreds of thousands of timers (deadlines,
 * retries, leases) and cancels most of them; ManualClock scans and copies the whole list
 * for every timer it fires, which was the simulation's largest cost.
 */
import type { Clock, TimerHandle } from '../src/time/clock.js';

/** A timer waiting in the heap; it is its own handle. */
class PendingTimer implements TimerHandle {
  cancelled = false;

  constructor(
    readonly at: number,
    readonly seq: number,
    public fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
    // A cancelled timer stays in the heap until its time comes (deadlines are seconds
    // away); letting go of the callback lets what it holds be collected now.
    this.fn = NOTHING;
  }
}

const NOTHING = (): void => {};

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
    const timer = new PendingTimer(this.current + Math.max(0, ms), this.seq++, fn);
    this.push(timer);
    return timer;
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
   *
   * Between two timers it takes FLUSH_TURNS promise turns, as `await flushMicrotasks()`
   * does, but each turn is a callback on one settled promise rather than an `await`: the
   * same place in the queue each time (so every other callback runs in the same order),
   * at half the cost. These turns are the largest single cost of a run.
   */
  fireDue(target: number, settled: boolean): Promise<void> {
    if (this.firing) throw new Error('SimClock.fireDue: the previous fireDue has not finished (await it first)');
    return new Promise<void>((resolve, reject) => {
      this.firing = { target, resolve, reject };
      if (settled) this.fireOrFail();
      else this.waitTurns();
    });
  }

  /** The fireDue under way: where it stops and how it ends. */
  private firing: { readonly target: number; readonly resolve: () => void; readonly reject: (error: unknown) => void } | null = null;
  private turnsLeft = 0;

  // The three steps of fireDue, made once per clock rather than once per instant (a run
  // has thousands of instants); the promise callbacks they queue are the same.
  private readonly fireNext = (): void => {
    const firing = this.firing!;
    const due = this.peek();
    if (!due || due.at > firing.target) {
      this.current = firing.target;
      this.firing = null;
      firing.resolve();
      return;
    }
    this.pop();
    this.current = Math.max(this.current, due.at);
    due.fn();
    this.waitTurns();
  };

  private readonly turn = (): void => {
    if (--this.turnsLeft > 0) void SETTLED.then(this.turn);
    else this.fireOrFail();
  };

  /** fireNext, ending the fireDue with the error a timer callback threw. */
  private readonly fireOrFail = (): void => {
    try {
      this.fireNext();
    } catch (error) {
      const firing = this.firing!;
      this.firing = null;
      firing.reject(error);
    }
  };

  private readonly waitTurns = (): void => {
    this.turnsLeft = FLUSH_TURNS;
    void SETTLED.then(this.turn);
  };

  /** The earliest live timer, dropping cancelled ones from the top. */
  private peek(): PendingTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  // Sift with a hole rather than swaps: the order popped is the same (at, then seq, is a
  // total order), with half the writes.
  private push(timer: PendingTimer): void {
    const h = this.heap;
    let i = h.length;
    h.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = h[parent]!;
      if (!before(timer, above)) break;
      h[i] = above;
      i = parent;
    }
    h[i] = timer;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(h[right]!, h[left]!) ? right : left;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
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

/** What `fireDue` queues its turns on: `.then` of a settled promise takes exactly one turn. */
const SETTLED = Promise.resolve();
