/**
 * Patroni's shutdown on SIGTERM (spec/ha.md §2): stop cycling; paused → leave Postgres
 * and the keys alone. Otherwise a fast stop without the extra CHECKPOINT; only once
 * Postgres is down does a leader release the lock (with the shutdown checkpoint as the
 * last LSN, so replicas can see they have everything); then the session is closed, which
 * deletes our member key. If the stop fails the lock is kept: a primary still running
 * must not look leaderless.
 */
import type { HaLoop, Logger } from '@pgwarden/core';
import type { RestApiServer } from '../api/server.js';
import type { FenceDriver } from './fence-driver.js';
import type { ObservedController } from './observed-controller.js';
import type { RecordingDcs } from './recording-dcs.js';

export interface ShutdownDeps {
  readonly loop: HaLoop;
  readonly controller: ObservedController;
  readonly dcs: RecordingDcs;
  readonly api: RestApiServer;
  readonly logger: Logger;
  readonly paused: () => boolean;
  readonly stopTimeoutMs: number;
  readonly fence: () => FenceDriver | null;
  /** The watchdog device: closed on a clean shutdown, left running when a primary could not be stopped (as Patroni). */
  readonly watchdog?: { disable(): void; isRunning(): boolean };
}

/** Returns the exit code. */
export async function shutdown(deps: ShutdownDeps): Promise<number> {
  const { loop, controller, dcs, api, logger } = deps;
  await loop.stop();
  const wasLeader = loop.isLeader() || dcs.lastCluster?.leader?.name === controller.memberName;
  if (deps.paused()) {
    logger.info('Leaving PostgreSQL running: the cluster is paused');
    deps.watchdog?.disable();
    await deps.fence()?.stop();
    await api.close();
    return 0;
  }
  const stopped = await controller.stop('fast', { checkpoint: false, timeoutMs: deps.stopTimeoutMs });
  if (!stopped.ok && (await controller.isRunning())) {
    logger.error(`Failed to shut down PostgreSQL: ${stopped.message}; keeping the leader lock${deps.watchdog?.isRunning() ? '. Leaving watchdog running.' : ''}`);
    deps.fence()?.detach();
    await api.close();
    return 1;
  }
  // Patroni disables the watchdog at the stop's safepoint: Postgres is down now.
  deps.watchdog?.disable();
  await deps.fence()?.stop();
  if (wasLeader) {
    const control = await controller.controlData({ timeoutMs: 5000 });
    const lastLsn = control.ok && control.value ? control.value.checkpointLsn : undefined;
    const released = await dcs.releaseLeader(lastLsn === undefined ? {} : { lastLsn });
    logger.info(released.kind === 'released' ? 'Leader key released' : `Leader key not released: ${released.kind}`);
  }
  await api.close();
  // Ends the session: the member key (and a lock we could not delete) go at once.
  await dcs.close();
  await controller.close();
  return 0;
}
