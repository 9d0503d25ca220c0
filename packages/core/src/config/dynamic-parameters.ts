/**
 * The `postgresql` part of the dynamic configuration: `parameters` (with the
 * command-line-only settings checked and defaulted as Patroni does), `use_pg_rewind`,
 * `use_slots`, `pg_hba`, `pg_ident`, `recovery_conf`. Local-only keys (`data_dir`,
 * `listen`, `authentication`, …) are dropped from the dynamic copy, as Patroni drops them.
 */
import { type ConfigChecker, isRecord, joinPath, type JsonRecord } from './checker.js';
import { cmdlineOption } from './pg-cmdline-options.js';
import { parsePatroniInt } from './patroni-values.js';
import { setOwn } from './setting-rules.js';

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
 * Checks the dynamic `postgresql.parameters`. Every entry must be a setting name and a
 * value postgresql.conf can hold (setting-rules.ts); one that is not is an issue. A
 * null value is dropped with an adjustment: PATCH /config uses null to delete a key,
 * and Patroni leaves a None-valued parameter out of postgresql.conf, so in a stored
 * document it means "not set". A command-line-only setting with a bad value is an
 * issue (Patroni would log a warning and use its default); one that can never be set
 * here (`port`, `listen_addresses`, `cluster_name`, `hot_standby` off) is dropped with
 * an adjustment, since it could not have any effect anyway.
 */
export function checkDynamicParameters(
  checker: ConfigChecker,
  path: string,
  raw: unknown,
  adjustments: string[],
): JsonRecord {
  const out: Record<string, unknown> = {};
  for (const [name, value, keyPath] of checkedSettings(checker, path, raw, adjustments)) {
    const option = cmdlineOption(name);
    if (!option) {
      setOwn(out, name, value);
    } else if (option.default === null) {
      adjustments.push(`${keyPath} is ignored: it is set from ${option.expects}`);
    } else if (name.toLowerCase() === 'hot_standby' && !option.check(value)) {
      adjustments.push(`${keyPath}=${String(value)} is ignored: hot_standby is always on`);
    } else if (!option.check(value)) {
      checker.issue(keyPath, value, `must be ${option.expects} (remove it to use the default ${String(option.default)})`);
    } else {
      // Patroni stores integers it could read as numbers ("200" → 200) and keeps the rest as written.
      const asInt = option.integer ? parsePatroniInt(value) : null;
      setOwn(out, name, asInt ?? value);
    }
  }
  return out;
}

/**
 * The usable `[name, value, path]` entries of a settings mapping (`parameters`,
 * `recovery_conf`): bad names and values become issues, null values adjustments.
 */
function checkedSettings(
  checker: ConfigChecker,
  path: string,
  raw: unknown,
  adjustments: string[],
): [string, string | number | boolean, string][] {
  const settings = checker.record(path, raw);
  if (!settings) return [];
  const out: [string, string | number | boolean, string][] = [];
  for (const [name, value] of Object.entries(settings)) {
    const keyPath = joinPath(path, name);
    if (!checker.settingName(keyPath, name)) continue;
    if (value === null || value === undefined) {
      adjustments.push(`${keyPath} is null and is ignored (not written to postgresql.conf); remove the key to keep /config tidy`);
      continue;
    }
    const setting = checker.settingValue(keyPath, value);
    if (setting !== undefined) out.push([name, setting, keyPath]);
  }
  return out;
}

/** `recovery_conf`: written into the recovery settings, so held to the same rules as parameters. */
function checkRecoveryConf(checker: ConfigChecker, path: string, raw: unknown, adjustments: string[]): JsonRecord | null {
  if (raw === undefined || raw === null) return null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of checkedSettings(checker, path, raw, adjustments)) setOwn(out, name, value);
  return isRecord(raw) ? out : null;
}

export function checkDynamicPostgresql(checker: ConfigChecker, path: string, raw: unknown, adjustments: string[]): DynamicPostgresql {
  const pg = checker.record(path, raw) ?? {};
  for (const key of LOCAL_ONLY_POSTGRESQL_KEYS) {
    if (Object.hasOwn(pg, key) && pg[key] !== undefined) adjustments.push(`${joinPath(path, key)} is ignored: it belongs in the local config of each node`);
  }
  return {
    useSlots: checker.bool(joinPath(path, 'use_slots'), pg.use_slots, { lenient: true }) ?? true,
    usePgRewind: checker.bool(joinPath(path, 'use_pg_rewind'), pg.use_pg_rewind, { lenient: true }) ?? false,
    parameters: checkDynamicParameters(checker, joinPath(path, 'parameters'), pg.parameters, adjustments),
    // Each entry is one line of pg_hba.conf / pg_ident.conf.
    pgHba: checker.stringList(joinPath(path, 'pg_hba'), pg.pg_hba, { singleLine: true }) ?? null,
    pgIdent: checker.stringList(joinPath(path, 'pg_ident'), pg.pg_ident, { singleLine: true }) ?? null,
    recoveryConf: checkRecoveryConf(checker, joinPath(path, 'recovery_conf'), pg.recovery_conf, adjustments),
  };
}
