/**
 * The runtime guard around a raw adapter. It owns what every adapter would otherwise
 * re-implement, and get subtly wrong:
 *
 * - lifecycle: after close() or abandon() every call answers `unavailable('closed')`
 *   and no listener is called again; close() runs once and cannot hang;
 * - deadlines: every call settles by its context's deadline (or its signal), even when
 *   the raw adapter's request never answers;
 * - errors: a throw becomes an `unavailable` outcome, with the code of a DcsError from
 *   any copy of core kept;
 * - listener isolation: the raw adapter is watched once and each listener is called in
 *   its own try/catch, so one throwing listener cannot starve the others;
 * - abandon(): drop the connection without ending the session, for tests of expiry.
 *
 * An adapter author writes only the backend calls and returns `guardAdapter(raw)` from
 * `create`.
 */
import { DcsError, toDcsError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { DcsAdapter, DcsCallContext, DcsCapabilities, DcsWatchEvent, RawSnapshot, WriteCondition } from './adapter.js';
import type { RawEntry } from './cluster.js';
import type { DataKey } from './keys.js';
import { unavailable, type LockOutcome, type ReleaseOutcome, type Unavailable, type WriteOutcome } from './outcomes.js';

/** A raw adapter may offer `abandon()`: drop its connection without ending its session. */
export type RawDcsAdapter = DcsAdapter & { abandon?(): void | Promise<void> };

export interface GuardOptions {
  /**
   * The clock the call contexts' deadlines are measured on (DcsAdapterOptions.clock).
   * Without it the guard follows each context's signal alone.
   */
  readonly clock?: Clock;
  /** Where a throwing listener or a failed close is reported. */
  readonly logger?: Logger;
  /** How long close() waits for the raw adapter before giving up on it; default 3 s. */
  readonly closeTimeoutMs?: number;
  /** Names the backend in messages ("etcd", "redis"). */
  readonly label?: string;
}

export interface GuardedAdapter extends DcsAdapter {
  /** The adapter inside, for backend-specific test hooks. */
  readonly inner: RawDcsAdapter;
  readonly closed: boolean;
  /**
   * Stops using the connection without ending the session (a frozen or killed agent):
   * the session's keys must then vanish by TTL alone. Needs the raw adapter's abandon().
   */
  abandon(): Promise<void>;
}

type Listener = (event: DcsWatchEvent) => void;

class Guard implements GuardedAdapter {
  readonly capabilities: DcsCapabilities;
  private state: 'open' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  private readonly listeners = new Set<Listener>();
  private stopRawWatch: (() => void) | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly label: string;

  constructor(
    readonly inner: RawDcsAdapter,
    private readonly options: GuardOptions,
  ) {
    this.capabilities = inner.capabilities;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.label = options.label ?? 'DCS';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    return this.call('read', ctx, () => this.inner.read(ctx, options));
  }

  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.call('acquireLeader', ctx, () => this.inner.acquireLeader(ctx));
  }

  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    return this.call('refreshLeader', ctx, () => this.inner.refreshLeader(current, ctx));
  }

  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.call('releaseLeader', ctx, () => this.inner.releaseLeader(ctx));
  }

  takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.call('takeLeader', ctx, () => this.inner.takeLeader(ctx));
  }

  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.call('touchMember', ctx, () => this.inner.touchMember(value, ctx));
  }

  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.call(`write ${key}`, ctx, () => this.inner.write(key, value, condition, ctx));
  }

  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.call(`delete ${key}`, ctx, () => this.inner.remove(key, condition, ctx));
  }

  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.call('removeCluster', ctx, () => this.inner.removeCluster(ctx));
  }

  watch(listener: Listener): () => void {
    if (this.closed) return () => {};
    this.listeners.add(listener);
    // One raw watch fans out to every listener: the raw adapter never sees a listener throw.
    try {
      this.stopRawWatch ??= this.inner.watch((event) => this.dispatch(event));
    } catch (error) {
      // watch() never throws to its caller; the raw adapter is asked again on the next watch().
      this.logger.warn(`${this.label}: starting the watch failed: ${(error as Error)?.message ?? String(error)}`);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  setTtl(ttlSeconds: number): void {
    if (!this.closed) this.inner.setTtl?.(ttlSeconds);
  }

  setLoopWait(loopWaitSeconds: number): void {
    if (!this.closed) this.inner.setLoopWait?.(loopWaitSeconds);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown(async () => {
      const timeoutMs = this.options.closeTimeoutMs ?? 3000;
      const gaveUp = await settleWithin(this.inner.close(), timeoutMs, this.clock);
      if (gaveUp) this.logger.warn(`${this.label}: closing the client took over ${timeoutMs} ms; left it behind`);
    });
    return this.closing;
  }

  abandon(): Promise<void> {
    const inner = this.inner;
    if (typeof inner.abandon !== 'function') {
      return Promise.reject(new Error(`${this.label} adapter has no abandon(): add one that drops the connection without ending the session`));
    }
    this.closing ??= this.shutDown(async () => {
      await inner.abandon!();
    });
    return this.closing;
  }

  private async shutDown(release: () => Promise<void>): Promise<void> {
    this.state = 'closed';
    this.stopWatching();
    this.listeners.clear();
    try {
      await release();
    } catch (error) {
      this.logger.warn(`${this.label}: closing the client failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private stopWatching(): void {
    const stop = this.stopRawWatch;
    this.stopRawWatch = undefined;
    try {
      stop?.();
    } catch (error) {
      this.logger.warn(`${this.label}: stopping the watch failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private dispatch(event: DcsWatchEvent): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`${this.label}: a watch listener threw on ${event.type} ${event.key}: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  /** Runs one raw call: refused once closed, settled by the deadline, throws turned into outcomes. */
  private async call<T extends { kind: string }>(what: string, ctx: DcsCallContext, run: () => Promise<T | Unavailable>): Promise<T | Unavailable> {
    if (this.closed) return unavailable(new DcsError('closed', `${what}: this ${this.label} client is closed`));
    if (ctx.signal.aborted) return deadlineExceeded(what, this.label);
    let cancel = (): void => {};
    const expired = new Promise<Unavailable>((resolve) => {
      const onAbort = (): void => resolve(deadlineExceeded(what, this.label));
      const timer = this.options.clock ? this.options.clock.setTimer(Math.max(0, ctx.deadline - this.options.clock.now()), onAbort) : undefined;
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      cancel = () => {
        timer?.cancel();
        ctx.signal.removeEventListener('abort', onAbort);
      };
    });
    const work = (async () => {
      try {
        const result = await run();
        if (result.kind !== 'unavailable') return result;
        return unavailable(causeOf((result as Unavailable).cause, what));
      } catch (error) {
        return unavailable(causeOf(error, what));
      }
    })();
    try {
      return await Promise.race([work, expired]);
    } finally {
      cancel();
    }
  }
}

function causeOf(error: unknown, what: string): DcsError {
  const known = toDcsError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new DcsError('request-failed', `${what}: ${message}`, { cause: error, transient: false });
}

function deadlineExceeded(what: string, label: string): Unavailable {
  return unavailable(new DcsError('deadline-exceeded', `${what}: no answer from ${label} by the call's deadline`, { transient: false }));
}

/** True when `promise` did not settle within `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  let timer: { cancel(): void } | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = clock.setTimer(ms, () => resolve(true));
  });
  try {
    return await Promise.race([promise.then(() => false), late]);
  } finally {
    timer?.cancel();
  }
}

/** Wraps a raw adapter in the guard; a guarded adapter is returned as it is. */
export function guardAdapter(raw: RawDcsAdapter, options: GuardOptions = {}): GuardedAdapter {
  if (raw instanceof Guard) return raw;
  return new Guard(raw, options);
}
