/** Everything the testkit offers for Redis: one server, a Sentinel group, a raw command. */
export { startRedis, redisServerBinary, REDIS_INSTALL_HINT, type RedisServer, type StartRedisOptions } from './redis.js';
export { startRedisSentinel, SENTINEL_MASTER_NAME, type RedisSentinelGroup, type StartRedisSentinelOptions } from './redis-sentinel.js';
export { redisCommand, redisCommands, RespError, type RespValue } from './redis-resp.js';
