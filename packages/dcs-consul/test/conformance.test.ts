import { describeDcsConformance } from '@pgwarden/core/testing';
import { startConsulDouble, type ConsulDouble } from '@pgwarden/testkit';
import { CONSUL_CAPABILITIES } from '../src/index.js';
import { consulTarget } from './target.js';

let consul: ConsulDouble | undefined;

// The double's SessionTTLMin is 1 s, so ttl 2 s (session TTL 1 s, lock ≈ 2 s) keeps the kit fast.
describeDcsConformance(
  'Consul (protocol double)',
  {
    async setup() {
      const started = await startConsulDouble({ sessionTtlMin: '1s' });
      consul = started;
      return consulTarget(started.url, {
        stop: () => started.stop(),
        start: () => started.start(),
        freeze: () => started.freeze(),
        thaw: () => started.thaw(),
      });
    },
    async teardown() {
      await consul?.close();
    },
  },
  { ...CONSUL_CAPABILITIES, minTtlSeconds: 2 },
);
