import { runConformance } from '@pgwarden/core/testing';
import { startRedis } from '@pgwarden/testkit';
import { dcsAdapter } from '../src/index.js';
import { rawValue } from './support/redis-target.js';

runConformance({
  name: 'Redis 7, one server',
  module: dcsAdapter,
  server: async () => {
    const redis = await startRedis();
    return {
      section: { hosts: redis.address },
      readRaw: (path) => rawValue(redis.port, path),
      stop: () => redis.stop(),
      start: () => redis.start(),
      freeze: () => redis.freeze(),
      thaw: () => redis.thaw(),
      close: () => redis.close(),
    };
  },
});
