import type { DcsCapabilities } from '../dcs/adapter.js';
import type { KitCluster, KitSettings } from './harness.js';
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
