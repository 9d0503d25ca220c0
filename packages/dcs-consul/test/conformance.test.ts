import { runConformance } from '@pgwarden/core/testing';
import { startConsulDouble } from '@pgwarden/testkit';
import { dcsAdapter } from '../src/index.js';

// The double's SessionTTLMin is 1 s, so ttl 2 s (session TTL 1 s, lock ≈ 2 s) keeps the kit fast.
runConformance({
  name: 'Consul (protocol double)',
  module: dcsAdapter,
  leadingSlash: false,
  capabilities: { minTtlSeconds: 2 },
  server: async () => {
    const consul = await startConsulDouble({ sessionTtlMin: '1s' });
    return {
      section: { url: consul.url },
      readRaw: async (path) => {
        const res = await fetch(`${consul.url}/v1/kv/${path.replace(/^\/+/, '')}?raw`);
        return res.status === 404 ? null : res.text();
      },
      stop: () => consul.stop(),
      start: () => consul.start(),
      freeze: () => consul.freeze(),
      thaw: () => consul.thaw(),
      close: () => consul.close(),
    };
  },
});
