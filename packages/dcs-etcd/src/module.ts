/**
 * What the agent loads for an `etcd3:` section of patroni.yml.
 */
import type { DcsAdapterModule } from '@pgwarden/core';
import { Etcd3Dcs, ETCD3_CAPABILITIES } from './adapter.js';
import { parseEtcd3Section, type Etcd3Section } from './config.js';

/** How long create() waits for each endpoint before trying the next. */
const CONNECT_TIMEOUT_MS = 2000;

export const dcsAdapter: DcsAdapterModule<Etcd3Section> = {
  section: 'etcd3',
  capabilities: ETCD3_CAPABILITIES,
  parseSection: parseEtcd3Section,
  async create(options) {
    const adapter = new Etcd3Dcs(options);
    try {
      await adapter.connect(Math.min(CONNECT_TIMEOUT_MS, options.retryTimeoutSeconds * 1000));
    } catch (error) {
      adapter.abandon();
      throw error;
    }
    return adapter;
  },
};
