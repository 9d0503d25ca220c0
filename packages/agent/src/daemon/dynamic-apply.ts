/**
 * Follows the DCS `/config` key: every snapshot goes through core's tracker (a bad
 * document keeps the last good one in force), and a change of `postgresql.parameters`
 * is handed to the controller, which reloads Postgres and reports what needs a restart
 * (`pending_restart` in `/patroni`). Runs inside the loop's read, so it never overlaps
 * a cycle's own decisions, as Patroni's reload_config runs inside its loop.
 */
import type { Cluster, DynamicConfigTracker, DynamicSettings, Logger } from '@pgwarden/core';
import { toPatroniJson } from '@pgwarden/core';
import type { ObservedController } from './observed-controller.js';

const APPLY_TIMEOUT_MS = 5000;

export function dynamicConfigFollower(tracker: DynamicConfigTracker, controller: ObservedController, logger: Logger) {
  let applied = toPatroniJson(tracker.current.parameters);
  return async (cluster: Cluster): Promise<void> => {
    if (!cluster.config || Object.keys(cluster.config.data).length === 0) return;
    const update = tracker.update(cluster.config.data, cluster.config.modifyVersion);
    if (update.kind !== 'applied') return;
    const next = toPatroniJson(update.config.parameters);
    if (next === applied) return;
    applied = next;
    await applyParameters(update.config, controller, logger);
  };
}

async function applyParameters(settings: DynamicSettings, controller: ObservedController, logger: Logger): Promise<void> {
  const parameters: Record<string, string | number | boolean> = { ...(settings.parameters as Record<string, string | number | boolean>) };
  // synchronous_standby_names belongs to the sync logic, not to /config: keep the live value.
  const live = controller.lastObservation?.synchronousStandbyNames;
  if (live) parameters['synchronous_standby_names'] = live;
  const r = await controller.applyParameters(parameters, { timeoutMs: APPLY_TIMEOUT_MS });
  if (!r.ok) {
    logger.warn(`Reloading PostgreSQL configuration failed: ${r.message}`);
    return;
  }
  const report = r.value;
  if (!report) return;
  if (report.reloaded.length) logger.info(`Reloaded PostgreSQL configuration: ${report.reloaded.join(', ')}`);
  const pending = Object.keys(report.pendingRestart);
  if (pending.length) logger.info(`Changed ${pending.join(', ')}: restart PostgreSQL to apply (pending_restart)`);
}
