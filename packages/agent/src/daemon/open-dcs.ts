/**
 * Connects to the DCS named by the config section: imports the adapter package, creates
 * the adapter with the key layout and timing, and wraps it in the recording Dcs. A
 * backend that cannot be reached is a one-line error, not a stack trace.
 */
import { KeyLayout, systemClock, type DcsTiming, type Logger } from '@pgwarden/core';
import { loadDcsAdapters } from '../config/dcs-loader.js';
import type { LocalConfig } from '../config/local-config.js';
import { DaemonStartError } from './errors.js';
import { RecordingDcs } from './recording-dcs.js';

export async function openDcs(config: LocalConfig, timing: DcsTiming, logger: Logger): Promise<RecordingDcs> {
  const { adapters, issues } = await loadDcsAdapters(config.raw);
  const module = adapters.get(config.dcs.name);
  if (!module) {
    throw new DaemonStartError(issues.map((i) => `${i.path}: ${i.reason}`).join('; ') || `cannot load the DCS adapter for ${config.dcs.name}`);
  }
  let adapter;
  try {
    adapter = await module.create({
      section: config.dcs.settings,
      layout: new KeyLayout({ namespace: config.namespace, scope: config.scope }),
      name: config.name,
      ttlSeconds: timing.ttl,
      loopWaitSeconds: timing.loopWait,
      retryTimeoutSeconds: timing.retryTimeout,
      clock: systemClock,
      logger,
    });
  } catch (error) {
    throw new DaemonStartError(`cannot connect to ${config.dcs.name}: ${oneLine(error)}`);
  }
  return new RecordingDcs({ adapter, timing, clock: systemClock, logger });
}

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
