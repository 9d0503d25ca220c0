import type { DcsCapabilities } from '../dcs/adapter.js';
import { KitCluster, freshScope, type KitSettings } from './harness.js';
import type { ConformanceTarget } from './target.js';

/** What each group of the kit gets: the live target and a way to open a fresh cluster. */
export interface KitContext {
  readonly capabilities: DcsCapabilities;
  readonly settings: KitSettings;
  target(): ConformanceTarget;
  /**
   * A cluster on a scope no other test uses (or exactly `scope`, when given); closed
   * after the test.
   */
  cluster(label: string, options?: { namespace?: string; scope?: string }): KitCluster;
}

/** A kit context plus the cleanup to run after each case. */
export interface KitHandle {
  readonly kit: KitContext;
  /** Closes every cluster the last case opened; cannot hang when the server is down. */
  closeClusters(): Promise<void>;
}

export function createKit(capabilities: DcsCapabilities, settings: KitSettings, getTarget: () => ConformanceTarget | undefined): KitHandle {
  const open: KitCluster[] = [];
  const kit: KitContext = {
    capabilities,
    settings,
    target() {
      const target = getTarget();
      if (!target) throw new Error('the conformance factory did not set up a target');
      return target;
    },
    cluster(label, clusterOptions = {}) {
      const cluster = new KitCluster(kit.target(), settings, clusterOptions.scope ?? freshScope(label), clusterOptions.namespace);
      open.push(cluster);
      return cluster;
    },
  };
  return {
    kit,
    async closeClusters() {
      await Promise.all(open.splice(0).map((c) => c.close()));
    },
  };
}
