/**
 * The executable definition of the DCS contract. An adapter is correct when this suite
 * passes against a real server:
 *
 * ```ts
 * describeDcsConformance('etcd', etcdFactory, dcsAdapter.capabilities);
 * ```
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { DcsCapabilities } from '../dcs/adapter.js';
import type { KitContext } from './context.js';
import { KitCluster, freshScope, kitSettings } from './harness.js';
import { expiryGroup } from './groups/expiry.js';
import { layoutGroup } from './groups/layout.js';
import { lockGroup } from './groups/lock.js';
import { outageGroup } from './groups/outage.js';
import { sessionGroup } from './groups/session.js';
import { watchGroup } from './groups/watch.js';
import { writesGroup } from './groups/writes.js';
import type { ConformanceFactory, ConformanceGroup, ConformanceOptions, ConformanceTarget } from './target.js';

const GROUPS: Record<ConformanceGroup, { title: string; register: (kit: KitContext) => void }> = {
  layout: { title: 'key layout', register: layoutGroup },
  lock: { title: 'leader lock', register: lockGroup },
  expiry: { title: 'TTL expiry', register: expiryGroup },
  writes: { title: 'persistent keys', register: writesGroup },
  watch: { title: 'watch', register: watchGroup },
  session: { title: 'session loss', register: sessionGroup },
  outage: { title: 'server outage', register: outageGroup },
};

export const ALL_CONFORMANCE_GROUPS = Object.keys(GROUPS) as ConformanceGroup[];

export function describeDcsConformance(
  name: string,
  factory: ConformanceFactory,
  capabilities: DcsCapabilities,
  options: ConformanceOptions = {},
): void {
  describe(`DCS conformance: ${name}`, () => {
    let target: ConformanceTarget | undefined;
    const open: KitCluster[] = [];
    const settings = kitSettings(capabilities, options);
    const kit: KitContext = {
      capabilities,
      settings,
      target() {
        if (!target) throw new Error('the conformance factory did not set up a target');
        return target;
      },
      cluster(label, clusterOptions = {}) {
        const cluster = new KitCluster(kit.target(), settings, clusterOptions.scope ?? freshScope(label), clusterOptions.namespace);
        open.push(cluster);
        return cluster;
      },
    };

    beforeAll(async () => {
      target = await factory.setup();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((c) => c.close()));
    });
    afterAll(async () => {
      await factory.teardown();
    });

    for (const group of options.groups ?? ALL_CONFORMANCE_GROUPS) {
      describe(GROUPS[group].title, () => GROUPS[group].register(kit));
    }
  });
}
