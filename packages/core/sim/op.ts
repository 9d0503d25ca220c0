/**
 * Waiting for a model operation with the caller's deadline and abort signal, on the
 * virtual clock. The operation itself runs on inside the simulated Postgres; only the
 * caller stops waiting (as pg_ctl does when its -t passes).
 */
import type { Clock } from '../src/time/clock.js';

export type Waited<T> = { readonly kind: 'done'; readonly value: T } | { readonly kind: 'timeout' } | { readonly kind: 'aborted' };

export function waitOp<T>(clock: Clock, work: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<Waited<T>> {
  return new Promise<Waited<T>>((resolve) => {
    if (signal?.aborted) {
      resolve({ kind: 'aborted' });
      return;
    }
    let settled = false;
    const finish = (w: Waited<T>): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      resolve(w);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = clock.setTimer(timeoutMs, () => finish({ kind: 'timeout' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then((value) => finish({ kind: 'done', value }));
  });
}

/** A promise with its resolve function exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  readonly settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolveFn: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolveFn = r));
  const d = {
    promise,
    settled: false,
    resolve(value: T) {
      if (d.settled) return;
      d.settled = true;
      resolveFn(value);
    },
  };
  return d;
}

/** Resolves after `ms` of the given clock. */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise<void>((resolve) => void clock.setTimer(ms, resolve));
}
