/**
 * Permanent slots (`slots`, legacy `permanent_slots` / `permanent_replication_slots`),
 * `ignore_slots` matchers and the `standby_cluster` section of the dynamic config.
 */
import { type ConfigChecker, joinPath, type JsonRecord } from './checker.js';

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
    const spec = value === null ? {} : checker.record(slotPath, value);
    if (!spec) continue;
    const type = spec.type === undefined ? 'physical' : checker.oneOf(joinPath(slotPath, 'type'), spec.type, ['physical', 'logical'] as const);
    if (!type) continue;
    const database = checker.string(joinPath(slotPath, 'database'), spec.database) ?? null;
    const plugin = checker.string(joinPath(slotPath, 'plugin'), spec.plugin) ?? null;
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

const STANDBY_KEYS = [
  'host',
  'port',
  'primary_slot_name',
  'create_replica_methods',
  'restore_command',
  'archive_cleanup_command',
  'recovery_min_apply_delay',
] as const;

/**
 * The standby_cluster section, or null when it does not make this a standby cluster
 * (none of host, port, restore_command set). Unknown keys are dropped, as Patroni does.
 */
export function checkStandbyCluster(checker: ConfigChecker, path: string, raw: unknown): JsonRecord | null {
  const section = checker.record(path, raw);
  if (!section) return null;
  const at = (key: string): string => joinPath(path, key);
  checker.string(at('host'), section.host);
  if (section.port !== undefined && section.port !== null && section.port !== '') {
    checker.int(at('port'), section.port, { lenient: true, min: 1, max: 65535 });
  }
  checker.string(at('primary_slot_name'), section.primary_slot_name);
  checker.string(at('restore_command'), section.restore_command);
  checker.string(at('archive_cleanup_command'), section.archive_cleanup_command);
  checker.string(at('recovery_min_apply_delay'), section.recovery_min_apply_delay, { allowNumber: true });
  if (typeof section.create_replica_methods !== 'string') checker.stringList(at('create_replica_methods'), section.create_replica_methods);
  const kept: Record<string, unknown> = {};
  for (const key of STANDBY_KEYS) if (section[key] !== undefined) kept[key] = section[key];
  return kept.host || kept.port || kept.restore_command ? kept : null;
}

