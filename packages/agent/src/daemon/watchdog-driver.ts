/**
 * The agent's side of the `watchdog:` section (spec/ha.md §3.11): builds core's Watchdog
 * (the Linux device, driven by the HA loop) and applies Patroni's start rules.
 * - `required` where no watchdog driver can exist (not Linux, unknown `driver`): the agent
 *   does not start (Patroni exits 1).
 * - `required` on Linux with a device that is missing or not writable: Patroni starts
 *   anyway; the node never enters the leader race and `/patroni` reports
 *   `watchdog_failed: true`, so peers skip it too. Said loudly here, naming the key.
 *
 * This is not the fence (fence-driver.ts): the fence is on whatever `watchdog.mode` says.
 */
import { Watchdog, watchdogStartupProblem, type Logger, type WatchdogTiming } from '@pgwarden/core';
import type { LocalConfig } from '../config/local-config.js';
import { DaemonStartError } from './errors.js';

export function createWatchdog(config: Pick<LocalConfig, 'watchdog'>, timing: () => WatchdogTiming, logger: Logger, platform: string = process.platform): Watchdog {
  const settings = config.watchdog;
  const problem = watchdogStartupProblem(settings, platform);
  if (problem) throw new DaemonStartError(problem);
  const watchdog = new Watchdog(settings, { logger, platform });
  if (settings.mode === 'required' && !watchdog.isHealthy(timing())) {
    logger.error(
      `watchdog.mode is required, but watchdog.device ${settings.device} is not usable (missing, not writable by this user, ` +
        `or ttl − safety_margin leaves no room for loop_wait): this node will not become leader and reports watchdog_failed; ` +
        `load a watchdog driver (e.g. softdog), fix watchdog.device, or set watchdog.mode: automatic`,
    );
  } else if (settings.mode !== 'off') {
    logger.info(`watchdog: ${settings.mode}, device ${settings.device}, opened when this node becomes primary`);
  }
  return watchdog;
}
