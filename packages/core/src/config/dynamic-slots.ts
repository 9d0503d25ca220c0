/**
 * Permanent slots (`slots`, legacy `permanent_slots` / `permanent_replication_slots`),
 * `ignore_slots` matchers and the `standby_cluster` section of the dynamic config.
 */
import { type ConfigChecker, joinPath, type JsonRecord } from './checker.js';
import { parsePatroniInt } from './patroni-values.js';
import { setOwn } from './setting-rules.js';

/** Patroni 4's default `member_slots_ttl`: 30 minutes. */
export const DEFAULT_MEMBER_SLOTS_TTL_SECONDS = 1800;

/**
 * `member_slots_ttl`: how long the slot of a member whose key is gone is kept, in
 * seconds; a number, or a string with a unit (`30min`, `2h`, `90s`). 0 drops it at once.
 */
export function checkMemberSlotsTtl(checker: ConfigChecker, path: string, raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_MEMBER_SLOTS_TTL_SECONDS;
  const seconds = parsePatroniInt(raw, 's');
  if (seconds === null || seconds < 0) {
    checker.issue(path, raw, 'is not a duration of at least 0; write seconds or a value with a unit, e.g. member_slots_ttl: 30min');
    return DEFAULT_MEMBER_SLOTS_TTL_SECONDS;
  }
  return seconds;
}

export interface PermanentSlotSpec {
  readonly name: string;
  readonly type: 'physical' | 'logical';
  readonly database: string | null;
  readonly plugin: string | null;
}

export interface IgnoreSlotMatcher {
  readonly name?: string;
  readonly type?: 'physical' | 'logical';
  readonly database?: string;
  readonly plugin?: string;
}

/** Postgres slot names: lower-case letters, digits and underscores, at most 63 bytes. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/**
 * `{name: {type, database, plugin}}`. As in Patroni, a missing type means physical and a
 * null entry is a physical slot; a logical slot needs both a database and a plugin.
 */
export function checkPermanentSlots(checker: ConfigChecker, path: string, raw: unknown): PermanentSlotSpec[] {
  const slots = checker.record(path, raw);
  if (!slots) return [];
  const out: PermanentSlotSpec[] = [];
  for (const [name, value] of Object.entries(slots)) {
    const slotPath = joinPath(path, name);
    if (!SLOT_NAME.test(name)) {
      checker.issue(slotPath, name, 'is not a valid slot name; use lower-case letters, digits and _ (at most 63)');
      continue;
    }
    // `__proto__` and `constructor` pass SLOT_NAME; the engine keys slots by name.
    if (!checker.ownKey(slotPath, name)) continue;
    const spec = value === null ? {} : checker.record(slotPath, value);
    if (!spec) continue;
    const type = spec.type === undefined ? 'physical' : checker.oneOf(joinPath(slotPath, 'type'), spec.type, ['physical', 'logical'] as const);
    if (!type) continue;
    const database = checker.string(joinPath(slotPath, 'database'), spec.database, { singleLine: true }) ?? null;
    const plugin = checker.string(joinPath(slotPath, 'plugin'), spec.plugin, { singleLine: true }) ?? null;
    if (type === 'logical' && (!database || !plugin)) {
      checker.issue(slotPath, value, 'is a logical slot without database and plugin; add both, e.g. {type: logical, database: app, plugin: pgoutput}');
      continue;
    }
    out.push({ name, type, database, plugin });
  }
  return out;
}

export function checkIgnoreSlots(checker: ConfigChecker, path: string, raw: unknown): IgnoreSlotMatcher[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    checker.issue(path, raw, 'is not a list; write a list of matchers, e.g. [{name: keep_me}]');
    return [];
  }
  const out: IgnoreSlotMatcher[] = [];
  raw.forEach((item: unknown, index) => {
    const itemPath = joinPath(path, index);
    const matcher = checker.record(itemPath, item);
    if (!matcher) {
      if (item === null) checker.issue(itemPath, item, 'is empty; give at least one of name, type, database, plugin');
      return;
    }
    const rule: { -readonly [K in keyof IgnoreSlotMatcher]: IgnoreSlotMatcher[K] } = {};
    const name = checker.string(joinPath(itemPath, 'name'), matcher.name);
    const type = checker.oneOf(joinPath(itemPath, 'type'), matcher.type, ['physical', 'logical'] as const);
    const database = checker.string(joinPath(itemPath, 'database'), matcher.database);
    const plugin = checker.string(joinPath(itemPath, 'plugin'), matcher.plugin);
    if (name !== undefined) rule.name = name;
    if (type !== undefined) rule.type = type;
    if (database !== undefined) rule.database = database;
    if (plugin !== undefined) rule.plugin = plugin;
    if (Object.keys(rule).length === 0) checker.issue(itemPath, item, 'matches nothing; give at least one of name, type, database, plugin');
    else out.push(rule);
  });
  return out;
}

/**
 * The standby_cluster section, or null when it does not make this a standby cluster
 * (none of host, port, restore_command set). Unknown keys are dropped, as Patroni does,
 * and so are values that failed their check: a lenient reader (readDynamicConfig) must
 * not see a standby cluster in `{host: 123}`. The strings go into primary_conninfo and
 * the recovery settings, one line each, so they may not hold a line break.
 */
/** recovery_min_apply_delay as Postgres reads it: milliseconds, or a number with a time unit. */
const APPLY_DELAY = /^\d+\s*(us|ms|s|min|h|d)?$/;

export function checkStandbyCluster(checker: ConfigChecker, path: string, raw: unknown): JsonRecord | null {
  const section = checker.record(path, raw);
  if (!section) return null;
  const at = (key: string): string => joinPath(path, key);
  const get = (key: string): unknown => (Object.hasOwn(section, key) ? section[key] : undefined);
  const line = { singleLine: true } as const;
  const kept: Record<string, unknown> = {};
  const keep = (key: string, ok: unknown): void => {
    if (ok !== undefined) setOwn(kept, key, get(key));
  };
  keep('host', checker.string(at('host'), get('host'), line));
  const port = get('port');
  if (port !== undefined && port !== null && port !== '') keep('port', checker.int(at('port'), port, { lenient: true, min: 1, max: 65535 }));
  const slot = checker.string(at('primary_slot_name'), get('primary_slot_name'), line);
  if (slot !== undefined && slot !== '' && !SLOT_NAME.test(slot)) {
    checker.issue(at('primary_slot_name'), slot, 'is not a valid slot name; use lower-case letters, digits and _ (at most 63), as the slot on the remote primary is named');
  } else keep('primary_slot_name', slot);
  keep('restore_command', checker.string(at('restore_command'), get('restore_command'), line));
  keep('archive_cleanup_command', checker.string(at('archive_cleanup_command'), get('archive_cleanup_command'), line));
  const delay = checker.string(at('recovery_min_apply_delay'), get('recovery_min_apply_delay'), { allowNumber: true, singleLine: true });
  if (delay !== undefined && !APPLY_DELAY.test(String(delay).trim())) {
    checker.issue(at('recovery_min_apply_delay'), delay, "is not a delay; write milliseconds (300000) or a number with a unit: '5min', '30s', '1h', '1d'");
  } else keep('recovery_min_apply_delay', delay);
  const methods = get('create_replica_methods');
  keep(
    'create_replica_methods',
    typeof methods === 'string' ? checker.string(at('create_replica_methods'), methods, line) : checker.stringList(at('create_replica_methods'), methods, line),
  );
  return kept['host'] || kept['port'] || kept['restore_command'] ? kept : null;
}
