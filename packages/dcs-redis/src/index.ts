export { dcsAdapter } from './module.js';
export { RedisDcs, REDIS_CAPABILITIES } from './adapter.js';
export { parseRedisSection, describeTopology, type RedisSection, type RedisTopology, type RedisEndpoint, type RedisTls } from './config.js';
export { withExpiryEvents } from './notifications.js';
