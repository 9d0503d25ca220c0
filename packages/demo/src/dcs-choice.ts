/**
 * Which DCS the nodes share. The in-memory one (`MemoryDcsServer`) lives in this process,
 * which is what makes a one-process demo possible; `etcd://host:port` runs the same story
 * against a real etcd through the `@pgwarden/dcs-etcd` adapter, exactly as the agent
 * would load it for an `etcd3:` section of patroni.yml.
 */
import { KeyLayout, MemoryDcs, MemoryDcsServer, systemClock, type DcsAdapter, type Logger, type NormalizedTiming } from '@pgwarden/core';
import { dcsAdapter as etcdAdapter } from '@pgwarden/dcs-etcd';

export interface DcsChoice {
  /** For the banner: `in-memory` or the etcd endpoint. */
  readonly description: string;
  readonly layout: KeyLayout;
  /** One adapter (one session/lease) per member, as each agent would have its own. */
  connect(name: string, timing: NormalizedTiming, logger: Logger, options?: { readOnly?: boolean }): Promise<DcsAdapter>;
}

export function chooseDcs(spec: string | undefined, scope: string): DcsChoice {
  // A fresh namespace per run, so a shared etcd never mixes two runs' keys.
  const layout = new KeyLayout({ namespace: `/pgwarden-demo-${process.pid}-${Date.now().toString(36)}`, scope });
  if (!spec || spec === 'memory') {
    const server = new MemoryDcsServer();
    return {
      description: 'in-memory DCS (MemoryDcsServer)',
      layout,
      connect: async (name, timing) => new MemoryDcs({ server, layout, name, ttlSeconds: timing.ttl }),
    };
  }
  const m = /^etcd3?:\/\/([^/]+)\/?$/.exec(spec);
  if (!m) throw new Error(`--dcs ${spec}: expected memory or etcd://host:port`);
  const parsed = etcdAdapter.parseSection({ hosts: m[1] });
  if (!parsed.ok) throw new Error(`--dcs ${spec}: ${parsed.issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}`);
  return {
    description: `etcd at ${m[1]} (namespace ${layout.prefix})`,
    layout,
    connect: (name, timing, logger, options) =>
      etcdAdapter.create({
        section: parsed.value,
        layout,
        name,
        ttlSeconds: timing.ttl,
        loopWaitSeconds: timing.loopWait,
        retryTimeoutSeconds: timing.retryTimeout,
        clock: systemClock,
        logger,
        ...(options?.readOnly ? { readOnly: true } : {}),
      }),
  };
}
