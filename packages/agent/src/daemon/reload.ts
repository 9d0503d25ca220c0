/**
 * SIGHUP and `POST /reload`: re-read patroni.yml. A config with problems is refused
 * (logged, one line each) and the running one stays. Of a valid one, the log level
 * takes effect; Postgres re-reads its files and the loop runs at once. Local settings
 * that shape the running parts (listen addresses, data_dir, the DCS section) need a
 * restart of the agent, as in Patroni.
 */
import type { HaLoop } from '@pgwarden/core';
import type { CliIo } from '../cli/io.js';
import { loadStartConfig } from './config-load.js';
import type { DaemonLogger } from './log.js';
import type { ObservedController } from './observed-controller.js';

export interface ReloadDeps {
  readonly configPath: string | undefined;
  readonly io: CliIo;
  readonly logger: DaemonLogger;
  readonly controller: ObservedController;
  readonly loop: HaLoop;
}

export async function reloadConfig(deps: ReloadDeps): Promise<void> {
  const { logger } = deps;
  logger.info('Reloading configuration');
  let started;
  try {
    started = await loadStartConfig(deps.configPath, deps.io.env);
  } catch (error) {
    for (const line of (error as Error).message.split('\n')) logger.error(`Configuration not reloaded: ${line}`);
    return;
  }
  logger.setLevel(started.config.log.level);
  if (await deps.controller.isRunning()) {
    const r = await deps.controller.reload({ timeoutMs: 5000 });
    if (!r.ok) logger.warn(`PostgreSQL reload failed: ${r.message}`);
  }
  deps.loop.wake();
}
