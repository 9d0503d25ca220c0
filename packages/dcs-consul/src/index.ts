import { DcsError, type DcsAdapterModule } from '@pgwarden/core';
import { ConsulDcs, CONSUL_CAPABILITIES } from './adapter.js';
import { ConsulClient } from './client.js';
import { parseConsulSection, type ConsulSection } from './config.js';

export { ConsulDcs, CONSUL_CAPABILITIES, type ConsulDcsOptions } from './adapter.js';
export { ConsulClient } from './client.js';
export { parseConsulSection, type ConsulSection } from './config.js';
export { serviceName, serviceRegistration } from './service.js';

const REACHABILITY_TIMEOUT_MS = 3000;

/** The `consul:` section of patroni.yml selects this adapter. */
export const dcsAdapter: DcsAdapterModule<ConsulSection> = {
  section: 'consul',
  capabilities: CONSUL_CAPABILITIES,
  parseSection: parseConsulSection,
  async create(options) {
    const client = new ConsulClient(options.section, options.clock);
    const budget = { signal: AbortSignal.timeout(REACHABILITY_TIMEOUT_MS), deadline: options.clock.now() + REACHABILITY_TIMEOUT_MS };
    let minTtl: number;
    try {
      minTtl = await client.sessionTtlMinSeconds(budget);
    } catch (error) {
      client.close();
      throw new DcsError('connection-failed', `cannot reach the Consul agent at ${client.endpoint}: ${(error as Error).message}`, { cause: error });
    }
    const adapter = new ConsulDcs({
      client,
      section: options.section,
      layout: options.layout,
      name: options.name,
      ttlSeconds: options.ttlSeconds,
      loopWaitSeconds: options.loopWaitSeconds,
      clock: options.clock,
      logger: options.logger,
    });
    adapter.session.applyMinimum(minTtl);
    return adapter;
  },
};
