export * from './errors.js';
export * from './logger.js';
export * from './time/clock.js';
export { ManualClock } from './time/manual-clock.js';
export { seededRandom } from './time/random.js';

export * from './dcs/adapter.js';
export * from './dcs/cluster.js';
export * from './dcs/keys.js';
export * from './dcs/outcomes.js';
export * from './dcs/timing.js';
export { Dcs, type DcsOptions } from './dcs/dcs.js';
export { callWithDeadline, PATRONI_RETRY_POLICY, type RetryPolicy, type CallOptions } from './dcs/retry.js';
export { decodeCluster, type DecodedCluster } from './dcs/codec/decode-cluster.js';
export {
  decodeMemberData,
  decodeConfig,
  decodeStatus,
  decodeFailover,
  decodeSync,
  decodeHistory,
  decodeFailsafe,
  parseTimestamp,
} from './dcs/codec/decode.js';
export * from './dcs/codec/encode.js';
export { toPatroniJson } from './dcs/codec/json.js';
export { MemoryDcsServer, type ServerMode, type StoredKey } from './dcs/memory/memory-server.js';
export { MemoryDcs, MEMORY_CAPABILITIES, type MemoryDcsOptions } from './dcs/memory/memory-dcs.js';
