/** The Consul protocol double as a DcsTarget: member Dcs handles through @pgwarden/dcs-consul. */
import { Dcs, KeyLayout, silentLogger, systemClock } from '@pgwarden/core';
import { dcsAdapter } from '@pgwarden/dcs-consul';
import type { ConsulDouble } from '@pgwarden/testkit';
import type { DcsTarget } from './dcs-cluster.js';

/** Long leases: the member keys must outlive a slow test run on a loaded machine. */
const TIMING = { ttl: 3600, loopWait: 10, retryTimeout: 10 };

export function consulTarget(consul: ConsulDouble): DcsTarget {
  const host = `127.0.0.1:${consul.port}`;
  return {
    yamlSection: `consul:\n  host: ${host}\n`,
    async memberDcs(scope, name) {
      const parsed = dcsAdapter.parseSection({ host });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const adapter = await dcsAdapter.create({
        section: parsed.value,
        layout: new KeyLayout({ scope }),
        name,
        ttlSeconds: TIMING.ttl,
        loopWaitSeconds: TIMING.loopWait,
        retryTimeoutSeconds: TIMING.retryTimeout,
        clock: systemClock,
        logger: silentLogger,
      });
      return new Dcs({ adapter, timing: TIMING });
    },
  };
}
