/**
 * What the agent loads for a `redis:` section of patroni.yml.
 */
import { guardAdapter, type DcsAdapterModule } from '@pgwarden/core';
import { RedisDcs, REDIS_CAPABILITIES } from './adapter.js';
import { parseRedisSection, type RedisSection } from './config.js';

/** How long create() waits for Redis (or the sentinels and their master). */
const CONNECT_TIMEOUT_MS = 3000;

export const dcsAdapter: DcsAdapterModule<RedisSection> = {
  section: 'redis',
  capabilities: REDIS_CAPABILITIES,
  parseSection: parseRedisSection,
  async create(options) {
    const adapter = new RedisDcs(options);
    try {
      await adapter.connect(Math.min(CONNECT_TIMEOUT_MS, Math.max(1000, options.retryTimeoutSeconds * 1000)));
    } catch (error) {
      adapter.abandon();
      throw error;
    }
    // The guard adds what every adapter needs the same way: closed-state refusal,
    // settling by the deadline, listener isolation.
    return guardAdapter(adapter, { clock: options.clock, logger: options.logger, label: 'redis' });
  },
};
