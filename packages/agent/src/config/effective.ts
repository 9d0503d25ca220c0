/**
 * The effective configuration, built the way Patroni builds it (spec/api.md §3.1):
 *
 *   defaults  ←  dynamic (DCS /config, or bootstrap.dcs until the DCS has one)  ←  local
 *
 * with these exceptions, where the dynamic value wins whatever the local file says:
 * - top-level `ttl`, `loop_wait`, `retry_timeout` and `standby_cluster` (a cluster-wide
 *   decision) are taken from the dynamic config only;
 * - `postgresql.use_slots` is dynamic only (slots are on or off for the whole cluster);
 * - `postgresql.parameters` that Postgres gets on its command line (max_connections,
 *   wal_level, max_wal_senders, …, see core's PG_CMDLINE_OPTIONS) are dynamic only;
 *   other local parameters override dynamic ones.
 * And the dynamic copy never carries per-node postgresql keys (data_dir, listen,
 * connect_address, authentication, …). The other dynamic keys (maximum_lag_on_failover,
 * synchronous_mode, pause, …) are not part of this document: read them from
 * `dynamic` (core's DynamicSettings), as Patroni reads them from the DCS config.
 */
import {
  cmdlineOption,
  defaultDynamicParameters,
  LOCAL_ONLY_POSTGRESQL_KEYS,
  validateDynamicConfig,
  type DynamicValidation,
} from '@pgwarden/core';
import { isRecord, type RawConfig } from './records.js';

const STANDBY_DEFAULTS = {
  create_replica_methods: '',
  host: '',
  port: '',
  primary_slot_name: '',
  restore_command: '',
  archive_cleanup_command: '',
  recovery_min_apply_delay: '',
};

/** Top-level keys whose local value is ignored: they must be the same on every node. */
export const DYNAMIC_ONLY_TOP_LEVEL_KEYS: readonly string[] = ['ttl', 'loop_wait', 'retry_timeout', 'standby_cluster'];

export interface EffectiveConfig {
  readonly document: RawConfig;
  /** The dynamic config as validated (issues mean the caller should keep its last good one). */
  readonly dynamic: DynamicValidation;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export function computeEffectiveConfig(local: RawConfig, dynamicDoc: unknown): EffectiveConfig {
  const dynamic = validateDynamicConfig(dynamicDoc);
  const doc = dynamic.config.document;
  const pgDynamic = isRecord(doc.postgresql) ? doc.postgresql : {};
  const standbyDynamic = isRecord(doc.standby_cluster) ? doc.standby_cluster : {};

  const postgresql: Record<string, unknown> = { use_slots: dynamic.config.useSlots };
  for (const [key, value] of Object.entries(pgDynamic)) {
    if (key !== 'parameters' && !LOCAL_ONLY_POSTGRESQL_KEYS.includes(key)) postgresql[key] = clone(value);
  }
  postgresql.use_slots = dynamic.config.useSlots;
  const parameters: Record<string, unknown> = { ...defaultDynamicParameters(), ...dynamic.config.parameters };

  const standby: Record<string, unknown> = { ...STANDBY_DEFAULTS };
  for (const key of Object.keys(STANDBY_DEFAULTS)) if (standbyDynamic[key] !== undefined) standby[key] = clone(standbyDynamic[key]);

  const config: Record<string, unknown> = {
    ttl: dynamic.config.timing.ttl,
    loop_wait: dynamic.config.timing.loopWait,
    retry_timeout: dynamic.config.timing.retryTimeout,
    standby_cluster: standby,
    postgresql,
  };

  for (const [name, value] of Object.entries(local)) {
    if (name === 'citus') {
      // Patroni drops a citus section that is not {group: int, database: str}.
      if (isRecord(value) && Number.isInteger(value.group) && typeof value.database === 'string') config.citus = clone(value);
    } else if (name === 'postgresql') {
      for (const [key, item] of Object.entries(isRecord(value) ? value : {})) {
        if (key === 'parameters') {
          for (const [param, setting] of Object.entries(isRecord(item) ? item : {})) {
            if (!cmdlineOption(param)) parameters[param] = clone(setting);
          }
        } else if (key !== 'use_slots') {
          postgresql[key] = clone(item);
        }
      }
    } else if (!(name in config) || name === 'watchdog') {
      config[name] = value ? clone(value) : {};
    }
  }
  postgresql.parameters = parameters;

  // The REST server and patronictl take credentials as one "user:password" string.
  for (const section of ['ctl', 'restapi']) {
    const s = config[section];
    if (isRecord(s) && isRecord(s.authentication)) s.auth = `${String(s.authentication.username)}:${String(s.authentication.password)}`;
  }
  for (const key of ['name', 'scope', 'retry_timeout', 'citus']) if (config[key] !== undefined) postgresql[key] = config[key];

  return { document: config, dynamic };
}
