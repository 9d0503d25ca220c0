/**
 * Opens the DCS named by the configuration, read-only, as patronictl does: the adapter
 * package is picked by the section (etcd3, zookeeper, consul, or `module:`), and every
 * read is linearizable so the CLI never shows a stale cluster.
 */
import { DEFAULT_NAMESPACE, Dcs, KeyLayout, silentLogger, systemClock } from '@pgwarden/core';
import { loadDcsAdapters } from '../config/dcs-loader.js';
import { scanDcsSections } from '../config/dcs-sections.js';
import { CtlError } from './errors.js';

/** patronictl's defaults when the DCS config does not say: ttl 30, loop_wait 10, retry_timeout 10. */
const TIMING = { ttl: 30, loopWait: 10, retryTimeout: 10 };

export async function openDcs(config: Readonly<Record<string, unknown>>, scope: string): Promise<Dcs> {
  const scan = scanDcsSections(config);
  if (scan.usable.length === 0) {
    const refused = scan.refused[0];
    throw new CtlError(
      refused
        ? `Can not find suitable configuration of distributed configuration store: ${refused.name}: ${refused.reason}`
        : 'Can not find suitable configuration of distributed configuration store\nAvailable implementations: consul, etcd3, redis, zookeeper',
    );
  }
  const ref = scan.usable[0]!;
  const { adapters, issues } = await loadDcsAdapters(config);
  const module = adapters.get(ref.name);
  if (!module) throw new CtlError(issues.map((i) => `${i.path}: ${i.reason}`).join('; ') || `cannot load the ${ref.name} adapter`);
  const parsed = module.parseSection(ref.raw);
  if (!parsed.ok) throw new CtlError(parsed.issues.map((i) => `${i.path} ${i.reason}`).join('; '));
  const namespace = typeof config.namespace === 'string' && config.namespace ? config.namespace : DEFAULT_NAMESPACE;
  let adapter;
  try {
    adapter = await module.create({
      section: parsed.value,
      layout: new KeyLayout({ namespace, scope }),
      name: typeof config.name === 'string' && config.name ? config.name : 'pgwardenctl',
      ttlSeconds: TIMING.ttl,
      loopWaitSeconds: TIMING.loopWait,
      retryTimeoutSeconds: TIMING.retryTimeout,
      clock: systemClock,
      logger: silentLogger,
      readOnly: true,
    });
  } catch (error) {
    throw new CtlError((error as Error).message, { cause: error });
  }
  return new Dcs({ adapter, timing: TIMING });
}
