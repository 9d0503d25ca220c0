/**
 * The conformance kit against a real Consul agent: `CONSUL_HTTP_ADDR=http://host:8500
 * pnpm --filter @pgwarden/dcs-consul test:real`. The agent is not ours to stop or
 * freeze, so the outage group is left out; ttl is 20 s (Consul's minimum session TTL
 * is 10 s), so the run takes a few minutes.
 */
import { describeDcsConformance } from '@pgwarden/core/testing';
import { CONSUL_CAPABILITIES } from '../src/index.js';
import { consulTarget } from '../test/target.js';

const address = process.env.CONSUL_HTTP_ADDR;
if (!address) {
  throw new Error('test:real needs a Consul agent: set CONSUL_HTTP_ADDR (e.g. http://127.0.0.1:8500), and CONSUL_HTTP_TOKEN if ACLs are on');
}
const url = /^https?:\/\//.test(address) ? address : `http://${address}`;
const refuse = async (): Promise<void> => {
  throw new Error('a real agent cannot be stopped by the kit');
};

describeDcsConformance(
  `Consul agent at ${url}`,
  {
    setup: async () => consulTarget(url, { stop: refuse, start: refuse, freeze: refuse, thaw: refuse }, process.env.CONSUL_HTTP_TOKEN),
    teardown: async () => undefined,
  },
  CONSUL_CAPABILITIES,
  { groups: ['layout', 'lock', 'expiry', 'writes', 'watch', 'session'], retryTimeoutSeconds: 5 },
);
