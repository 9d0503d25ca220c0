/** What the agent loads for a `zookeeper:` section (see DcsAdapterModule in core). */
import type { DcsAdapterModule } from '@pgwarden/core';
import { ZOOKEEPER_CAPABILITIES, ZooKeeperDcs } from './adapter.js';
import { parseZooKeeperSection, type ZooKeeperSection } from './config.js';

export const dcsAdapter: DcsAdapterModule<ZooKeeperSection> = {
  section: 'zookeeper',
  capabilities: ZOOKEEPER_CAPABILITIES,
  parseSection: parseZooKeeperSection,
  create: (options) => ZooKeeperDcs.create(options),
};
