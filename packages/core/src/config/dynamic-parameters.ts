/**
 * The `postgresql` part of the dynamic configuration: `parameters` (with the
 * command-line-only settings checked and defaulted as Patroni does), `use_pg_rewind`,
 * `use_slots`, `pg_hba`, `pg_ident`, `recovery_conf`. Local-only keys (`data_dir`,
 * `listen`, `authentication`, …) are dropped from the dynamic copy, as Patroni drops them.
 */
import { type ConfigChecker, isRecord, joinPath, type JsonRecord } from './checker.js';
import { cmdlineOption } from './pg-cmdline-options.js';
import { parsePatroniInt } from './patroni-values.js';

/** Keys that only make sense per node; Patroni ignores them in the dynamic config. */
export const LOCAL_ONLY_POSTGRESQL_KEYS: readonly string[] = [
  'connect_address',
  'proxy_address',
  'listen',
  'config_dir',
  'data_dir',
  'pgpass',
  'authentication',
];

export interface DynamicPostgresql {
  readonly useSlots: boolean;
  readonly usePgRewind: boolean;
  /** Parameters as written, minus the ones that can never be set here and the ones that failed their check. */
  readonly parameters: JsonRecord;
  readonly pgHba: readonly string[] | null;
  readonly pgIdent: readonly string[] | null;
  readonly recoveryConf: JsonRecord | null;
}

/**
 * Checks the dynamic `postgresql.parameters`. A command-line-only setting with a bad
 * value is an issue (Patroni would log a warning and use its default); one that can
 * never be set here (`port`, `listen_addresses`, `cluster_name`, `hot_standby` off)
 * is dropped with an adjustment, since it could not have any effect anyway.
 */
export function checkDynamicParameters(
  checker: ConfigChecker,
  path: string,
  raw: unknown,
  adjustments: string[],
): JsonRecord {
  const params = checker.record(path, raw);
  if (!params) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const option = cmdlineOption(name);
    const keyPath = joinPath(path, name);
    if (!option) {
      out[name] = value;
    } else if (option.default === null) {
      adjustments.push(`${keyPath} is ignored: it is set from ${option.expects}`);
    } else if (name.toLowerCase() === 'hot_standby' && !option.check(value)) {
      adjustments.push(`${keyPath}=${String(value)} is ignored: hot_standby is always on`);
    } else if (!option.check(value)) {
      checker.issue(keyPath, value, `must be ${option.expects} (remove it to use the default ${String(option.default)})`);
    } else {
      // Patroni stores integers it could read as numbers ("200" → 200) and keeps the rest as written.
      const asInt = option.integer ? parsePatroniInt(value) : null;
      out[name] = asInt ?? value;
    }
  }
  return out;
}

export function checkDynamicPostgresql(checker: ConfigChecker, path: string, raw: unknown, adjustments: string[]): DynamicPostgresql {
  const pg = checker.record(path, raw) ?? {};
  for (const key of LOCAL_ONLY_POSTGRESQL_KEYS) {
    if (pg[key] !== undefined) adjustments.push(`${joinPath(path, key)} is ignored: it belongs in the local config of each node`);
  }
  const recovery = pg.recovery_conf;
  return {
    useSlots: checker.bool(joinPath(path, 'use_slots'), pg.use_slots, { lenient: true }) ?? true,
    usePgRewind: checker.bool(joinPath(path, 'use_pg_rewind'), pg.use_pg_rewind, { lenient: true }) ?? false,
    parameters: checkDynamicParameters(checker, joinPath(path, 'parameters'), pg.parameters, adjustments),
    pgHba: checker.stringList(joinPath(path, 'pg_hba'), pg.pg_hba) ?? null,
    pgIdent: checker.stringList(joinPath(path, 'pg_ident'), pg.pg_ident) ?? null,
    recoveryConf: isRecord(recovery) ? recovery : (checker.record(joinPath(path, 'recovery_conf'), recovery) ?? null),
  };
}
