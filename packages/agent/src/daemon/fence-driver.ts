/**
 * The agent's side of core's fence (a guard process outside the agent that stops a
 * primary's Postgres before its lock can expire, should this agent hang): starts the
 * guard and hands the HA engine its lease-guard port. The engine itself decides when to
 * arm (after each outcome that gives it the lock, before a promotion) and when to disarm
 * (demotion safepoint, pause, no lock and no primary): see core's ha/lease-guard.ts.
 * Shutdown ends the guard without touching Postgres.
 */
import { Fence, fenceLeaseGuard, readFenceSettings, type FenceState, type LeaseGuard, type Logger } from '@pgwarden/core';
import type { LocalConfig } from '../config/local-config.js';
import { fenceTimingChecker, type FenceTiming } from './fence-timing-check.js';

export interface FenceDriver {
  /** The engine's port: arm and disarm. */
  readonly guard: LeaseGuard;
  /** Clean shutdown (Postgres stopped, or paused): the guard exits without acting. */
  stop(): Promise<void>;
  /** The stop failed and Postgres may still run as primary: leave the guard armed. */
  detach(): void;
  /** The fence's state; `deadline` is on the monotonic system clock (ms). */
  state(): FenceState;
}

export async function startFence(config: LocalConfig, timing: () => FenceTiming, logger: Logger): Promise<FenceDriver | null> {
  const settings = readFenceSettings(config.raw['pgwarden']);
  if (!settings.enabled) {
    logger.info('fence: off (pgwarden.fence); nothing stops a primary whose agent hangs');
    return null;
  }
  const checkTiming = fenceTimingChecker(settings.marginMs, logger);
  checkTiming(timing());
  const fence = new Fence({ logger });
  await fence.start({ dataDir: config.postgresql.dataDir, marginMs: settings.marginMs, ...(settings.stateDir && { stateDir: settings.stateDir }) });
  let stopped = false;
  const guard = fenceLeaseGuard(fence, logger);
  return {
    // After stop/detach the guard process is gone or left on its own: no more arming.
    guard: {
      ...guard,
      arm: (lease, t) => {
        if (stopped) return Promise.resolve();
        // A ttl, loop_wait or retry_timeout changed through /config is checked when it first applies.
        checkTiming(timing());
        return guard.arm(lease, t);
      },
      disarm: (reason) => (stopped ? Promise.resolve() : guard.disarm(reason)),
    },
    async stop() {
      stopped = true;
      await fence.shutdown();
    },
    detach() {
      stopped = true;
      fence.detach();
    },
    state: () => fence.state(),
  };
}
