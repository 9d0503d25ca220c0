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
 *
 * The driver runs on the loop's cycle-end hook rather than a timer: the loop's status
 * only changes at the end of a cycle, so a poll (it was every 200 ms) only added idle
 * wake-ups, and the hook arms sooner after each renewal. A cycle that ends while an arm
 * or disarm is still being written is not lost: the driver runs again on the latest status.
 */
import { Fence, readFenceSettings, fenceTimingProblem, type FenceState, type HaLoop, type Logger } from '@pgwarden/core';
import type { LocalConfig } from '../config/local-config.js';
import type { ObservedController } from './observed-controller.js';


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
  let again = false;
  let stopped = false;
  const apply = async (): Promise<void> => {
    const status = loop.getStatus();
    if (status.cycle === lastCycle) return;
    lastCycle = status.cycle;
    const pg = controller.status();
    const primary = pg.role === 'primary' || pg.role === 'promoted';
    if (status.lockValidUntil !== null && primary && pg.postmasterPid !== null && !timing().paused) {
      await fence.arm(status.lockValidUntil, pg.postmasterPid);
    } else if (fence.state().armed) {
      await fence.disarm(timing().paused ? 'paused' : status.lockValidUntil === null ? 'not holding the lock' : 'not a running primary');
    }
  };
  const tick = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        if (stopped) break;
        try {
          await apply();
        } catch (error) {
          logger.warn(`fence: ${(error as Error).message}`);
        }
      } while (again);
    } finally {
      busy = false;
    }
  };
  const unsubscribe = loop.onCycleEnd(() => void tick());
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      while (busy) await new Promise((r) => setTimeout(r, 20));
      await fence.shutdown();
    },
    detach() {
      stopped = true;
      unsubscribe();
      fence.detach();
    },
    state: () => fence.state(),
  };
}
