/**
 * Drives core's fence (a guard process outside the agent that stops a primary's
 * Postgres before its lock can expire, should this agent hang) from the HA loop's
 * published status: after each cycle, a node that holds the lock and runs a primary arms
 * it with the lock's validUntil; any other outcome (demoted, replica, paused, lock lost)
 * disarms it. Shutdown ends the guard without touching Postgres.
 *
 * Arming after the cycle instead of inside the executor is safe: the deadline is
 * validUntil − margin of a renewal that did happen, and the guard only ever stops the
 * postmaster it was armed with (PID and start time), so a demotion's stop or a restart as
 * a replica cannot be hit by a stale deadline.
 */
import { Fence, readFenceSettings, fenceTimingProblem, type FenceState, type HaLoop, type Logger } from '@pgwarden/core';
import type { LocalConfig } from '../config/local-config.js';
import type { ObservedController } from './observed-controller.js';

const POLL_MS = 200;

export interface FenceDriver {
  /** Clean shutdown (Postgres stopped, or paused): the guard exits without acting. */
  stop(): Promise<void>;
  /** The stop failed and Postgres may still run as primary: leave the guard armed. */
  detach(): void;
  /** The fence's state; `deadline` is on the monotonic system clock (ms). */
  state(): FenceState;
}

export async function startFence(
  config: LocalConfig,
  loop: HaLoop,
  controller: ObservedController,
  timing: () => { ttl: number; loopWait: number; paused: boolean },
  logger: Logger,
): Promise<FenceDriver | null> {
  const settings = readFenceSettings(config.raw['pgwarden']);
  if (!settings.enabled) {
    logger.info('fence: off (pgwarden.fence); nothing stops a primary whose agent hangs');
    return null;
  }
  const problem = fenceTimingProblem(timing().ttl, timing().loopWait, settings.marginMs);
  if (problem) logger.warn(`fence: ${problem}`);
  const fence = new Fence({ logger });
  await fence.start({ dataDir: config.postgresql.dataDir, marginMs: settings.marginMs, ...(settings.stateDir && { stateDir: settings.stateDir }) });
  let lastCycle = -1;
  let busy = false;
  const tick = async (): Promise<void> => {
    const status = loop.getStatus();
    if (busy || status.cycle === lastCycle) return;
    busy = true;
    lastCycle = status.cycle;
    try {
      const pg = controller.status();
      const primary = pg.role === 'primary' || pg.role === 'promoted';
      if (status.lockValidUntil !== null && primary && pg.postmasterPid !== null && !timing().paused) {
        await fence.arm(status.lockValidUntil, pg.postmasterPid);
      } else if (fence.state().armed) {
        await fence.disarm(timing().paused ? 'paused' : status.lockValidUntil === null ? 'not holding the lock' : 'not a running primary');
      }
    } catch (error) {
      logger.warn(`fence: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), POLL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      await fence.shutdown();
    },
    detach() {
      clearInterval(timer);
      fence.detach();
    },
    state: () => fence.state(),
  };
}
