/**
 * Connects to the DCS named by the config section: imports the adapter package, creates
 * the adapter with the key layout and timing, and wraps it in the recording Dcs.
 *
 * A DCS that does not answer at start is waited for, as Patroni does ("waiting on
 * etcd" / "Can not get cluster from dcs" every 5 s): the agent must not start or promote
 * anything until it has read the cluster, and must come up on its own once the DCS is
 * back (after a power cut the DCS often starts after the agents). What cannot get better
 * by waiting — a missing adapter package, refused credentials — stays fatal.
 */
import { ConfigError, dcsErrorCode, isTransientDcsError, KeyLayout, systemClock, type Cluster, type DcsTiming, type Logger } from '@pgwarden/core';
import { loadDcsAdapters } from '../config/dcs-loader.js';
import type { LocalConfig } from '../config/local-config.js';
import { isRecord } from '../config/records.js';
import { DaemonStartError } from './errors.js';
import { RecordingDcs } from './recording-dcs.js';

/** Patroni waits 5 s between attempts. */
export const DCS_RETRY_INTERVAL_MS = 5000;

export class DcsWaitAborted extends Error {
  constructor() {
    super('stopped while waiting for the DCS');
  }
}

/** Whether another attempt could succeed: a DCS that is down, not one that refused us. */
function retryable(error: unknown): boolean {
  if (error instanceof ConfigError || error instanceof DaemonStartError) return false;
  // By code, not class: an adapter built against another copy of core still counts.
  if (dcsErrorCode(error) !== undefined) return isTransientDcsError(error);
  return true;
}

/** The endpoints the section names, for the waiting line (an operator checks these first). */
export function dcsHosts(config: LocalConfig): string {
  const section = config.raw[config.dcs.name];
  if (!isRecord(section)) return config.dcs.name;
  for (const key of ['hosts', 'host', 'url', 'urls', 'proxy']) {
    const v = section[key];
    if (typeof v === 'string' && v) return v;
    if (Array.isArray(v) && v.length) return v.map(String).join(',');
  }
  return config.dcs.name;
}

async function createDcs(config: LocalConfig, timing: DcsTiming, logger: Logger): Promise<RecordingDcs> {
  const { adapters, issues } = await loadDcsAdapters(config.raw);
  const module = adapters.get(config.dcs.name);
  if (!module) {
    throw new DaemonStartError(issues.map((i) => `${i.path}: ${i.reason}`).join('; ') || `cannot load the DCS adapter for ${config.dcs.name}`);
  }
  const adapter = await module.create({
    section: config.dcs.settings,
    layout: new KeyLayout({ namespace: config.namespace, scope: config.scope }),
    name: config.name,
    ttlSeconds: timing.ttl,
    loopWaitSeconds: timing.loopWait,
    retryTimeoutSeconds: timing.retryTimeout,
    clock: systemClock,
    logger,
  });
  // Said once, at start: the operator chose a store that cannot promise a single leader.
  const caveat = module.capabilities.consensusCaveat;
  if (caveat) logger.warn(`DCS ${config.dcs.name}: ${caveat}`);
  return new RecordingDcs({ adapter, timing, clock: systemClock, logger });
}

export interface WaitOptions {
  readonly signal?: AbortSignal;
  readonly intervalMs?: number;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Returns a connected Dcs and its first cluster read, retrying every `intervalMs` while
 * the DCS is unreachable. Throws DaemonStartError when waiting cannot help, and
 * DcsWaitAborted when `signal` fires (SIGTERM while waiting).
 */
export async function openDcsWhenReachable(
  config: LocalConfig,
  timing: DcsTiming,
  logger: Logger,
  options: WaitOptions = {},
): Promise<{ dcs: RecordingDcs; cluster: Cluster }> {
  const interval = options.intervalMs ?? DCS_RETRY_INTERVAL_MS;
  const where = `${config.dcs.name} (${dcsHosts(config)})`;
  let dcs: RecordingDcs | null = null;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) {
      await dcs?.close().catch(() => undefined);
      throw new DcsWaitAborted();
    }
    let cause: string;
    try {
      dcs ??= await createDcs(config, timing, logger);
      const first = await dcs.loadCluster();
      if (first.kind === 'loaded') {
        if (attempt > 1) logger.info(`${where} is reachable again after ${attempt} attempts`);
        return { dcs, cluster: first.cluster };
      }
      cause = oneLine(first.cause);
    } catch (error) {
      if (!retryable(error)) {
        await dcs?.close().catch(() => undefined);
        throw error instanceof DaemonStartError ? error : new DaemonStartError(`cannot connect to ${config.dcs.name}: ${oneLine(error)}`);
      }
      cause = oneLine(error);
    }
    logger.warn(`Waiting on ${where}: not accessible (${cause}); nothing is started until it answers; retrying in ${Math.round(interval / 1000)} s`);
    await pause(interval, options.signal);
  }
}

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
