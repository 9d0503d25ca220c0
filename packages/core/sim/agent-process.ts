/**
 * The agent as an OS process, seen from outside: it can be paused (SIGSTOP) and killed
 * (SIGKILL) without its cooperation. Everything the agent can observe — its clock's
 * timers, the answers of Postgres and the DCS, watch events — is delivered through
 * `deliver`, so:
 * - paused: nothing reaches the agent; deliveries queue and run, in order, on resume.
 *   Work already handed to Postgres or the DCS carries on (they are other processes).
 * - killed: nothing ever reaches it again; its pending promises never settle.
 * The agent keeps calling the same Clock/Dcs/controller APIs; it cannot tell.
 */
import type { Clock, TimerHandle } from '../src/time/clock.js';

export type ProcessState = 'running' | 'paused' | 'killed';

export class AgentProcess {
  private stateValue: ProcessState = 'running';
  /** When it last began running (start or SIGCONT): a fence kill counts against an agent only if it ran throughout. */
  runningSince: number;
  private queue: (() => void)[] = [];
  private readonly cleanups = new Set<() => void>();
  readonly clock: Clock;

  constructor(private readonly world: Clock) {
    this.clock = processClock(world, this);
    this.runningSince = world.now();
  }

  get state(): ProcessState {
    return this.stateValue;
  }

  /** Runs `fn` now, later (paused), or never (killed). */
  deliver(fn: () => void): void {
    if (this.stateValue === 'running') fn();
    else if (this.stateValue === 'paused') this.queue.push(fn);
  }

  /**
   * The promise as the process sees it: settles only while the process runs. `onArrive`
   * sees the value when it arrives, whatever the process state (same promise turn).
   */
  wrap<T>(work: Promise<T>, onArrive?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Delivered in place while running (the common case: no closure to queue).
      work.then(
        (value) => {
          onArrive?.(value);
          if (this.stateValue === 'running') resolve(value);
          else this.deliver(() => resolve(value));
        },
        (error: unknown) => {
          if (this.stateValue === 'running') reject(error);
          else this.deliver(() => reject(error));
        },
      );
    });
  }

  /** A callback the outside world calls (listeners): it runs inside the process. */
  bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => this.deliver(() => fn(...args));
  }

  /** Something to undo when the process dies (unsubscribe listeners, drop the DCS session). */
  onKill(cleanup: () => void): void {
    this.cleanups.add(cleanup);
  }

  pause(): void {
    if (this.stateValue === 'running') this.stateValue = 'paused';
  }

  /** SIGCONT: the queued deliveries run in their original order. */
  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    this.runningSince = this.world.now();
    const queued = this.queue;
    this.queue = [];
    for (const fn of queued) {
      if (this.stateValue !== 'running') {
        // Paused or killed again by one of the deliveries' effects: keep the rest.
        if (this.stateValue === 'paused') this.queue.push(fn);
        continue;
      }
      fn();
    }
  }

  kill(): void {
    if (this.stateValue === 'killed') return;
    this.stateValue = 'killed';
    this.queue = [];
    for (const c of [...this.cleanups]) c();
    this.cleanups.clear();
  }
}

/** The world clock as the process sees it: time flows, timers fire only while it runs. */
function processClock(world: Clock, proc: AgentProcess): Clock {
  const setTimer = (ms: number, fn: () => void): TimerHandle => {
    let cancelled = false;
    const handle = world.setTimer(ms, () => proc.deliver(() => void (cancelled || fn())));
    return {
      cancel: () => {
        cancelled = true;
        handle.cancel();
      },
    };
  };
  return {
    now: () => world.now(),
    wallNow: () => world.wallNow(),
    setTimer,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          timer.cancel();
          reject(signal?.reason);
        };
        const timer = setTimer(ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
