/**
 * Time as the engine and the DCS layer see it. Nothing in core calls `Date.now`,
 * `setTimeout` or `Math.random` directly: it takes a Clock and a Random, so the
 * simulation can run many nodes on one virtual clock and replay a failing seed.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /**
   * Monotonic milliseconds. The system clock uses CLOCK_MONOTONIC, which is shared by
   * every process on the host, so a deadline computed here can be handed to another
   * process (the fence) and still mean the same instant. It never jumps with NTP.
   */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps people read (scheduled_at). */
  wallNow(): number;
  /** Runs `fn` after `ms` milliseconds of this clock. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A source of uniform numbers in [0, 1). The simulation passes a seeded one. */
export type Random = () => number;

export const systemRandom: Random = () => Math.random();

function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export const systemClock: Clock = {
  now: monotonicMs,
  wallNow: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
