export * from './errors.js';
export { PATRONI_PROTOCOL_VERSION } from './protocol-version.js';
export * from './logger.js';
export * from './time/clock.js';
export { ManualClock } from './time/manual-clock.js';
export { seededRandom } from './time/random.js';

export * from './dcs/adapter.js';
export { adapterModuleFrom } from './dcs/adapter-module.js';
export * from './dcs/cluster.js';
export * from './dcs/keys.js';
export * from './dcs/outcomes.js';
export * from './dcs/timing.js';
export { Dcs, type DcsOptions } from './dcs/dcs.js';
export { DecodeMemo } from './dcs/codec/decode-memo.js';
export { guardAdapter, type GuardedAdapter, type GuardOptions, type RawDcsAdapter } from './dcs/guarded-adapter.js';
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

// Postgres controller
export * from './postgres/index.js';

// Config schemas: dynamic config (bootstrap.dcs and /config), validator kit, secrets
export {
  validateDynamicConfig,
  defaultDynamicSettings,
  resolveDynamicAliases,
  DYNAMIC_DEFAULTS,
  DYNAMIC_ALIASES,
  type DynamicSettings,
  type DynamicValidation,
} from './config/dynamic-schema.js';
export { DynamicConfigTracker, type DynamicConfigTrackerOptions, type DynamicUpdate } from './config/dynamic-tracker.js';
export { type PermanentSlotSpec, type IgnoreSlotMatcher } from './config/dynamic-slots.js';
export { LOCAL_ONLY_POSTGRESQL_KEYS, checkDynamicParameters, type DynamicPostgresql } from './config/dynamic-parameters.js';
export { PG_CMDLINE_OPTIONS, cmdlineOption, defaultDynamicParameters, type CmdlineOption } from './config/pg-cmdline-options.js';
export { parsePatroniBool, parsePatroniInt, roundHalfEven } from './config/patroni-values.js';
export { ConfigChecker, joinPath, displayValue, type IntRule, type JsonRecord } from './config/checker.js';
export { SECRET_MASK, isSecretKey, isSecretPath, lastPathKey, maskSecretsInText } from './config/secret-keys.js';
export { setOwn } from './config/setting-rules.js';

// REST API health rules
export * from './health/index.js';

// HA engine
export { readDynamicConfig, DEFAULTS as DYNAMIC_CONFIG_DEFAULTS, type DynamicConfig, type PermanentSlot } from './config/dynamic.js';
export { readBool, readInt } from './config/lenient.js';
export * from './ha/index.js';

// Fence: a guard outside the agent stops a primary whose agent cannot renew the lock
export * from './fence/index.js';

// The Linux watchdog device: the `watchdog:` section of patroni.yml
export * from './watchdog/index.js';
