/**
 * What a user-written key or Postgres setting may look like before pgwarden uses it.
 *
 * Keys: every JavaScript object inherits `toString`, `constructor`, `__proto__`, … from
 * Object.prototype. A config key with one of those names either reads the inherited
 * function (`options['constructor']` is `Object`), or, when assigned (`out['__proto__'] =
 * v`), replaces the object's prototype instead of adding a key. No Patroni or Postgres
 * key has such a name, so they are refused wherever a user key becomes an object key.
 *
 * Settings: `postgresql.parameters` and `recovery_conf` end up as `name = 'value'` lines
 * in postgresql.conf. A name must be a GUC name as Postgres' config-file lexer reads it,
 * and a value a string, finite number or boolean; a string with a line break or NUL
 * would be written as two lines (or cut short), so it is refused.
 */

/** Object.prototype's own names, lower-cased (GUC names are case-insensitive). */
const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype).map((k) => k.toLowerCase()));

/** True for `__proto__`, `constructor`, `toString`, `hasOwnProperty`, … in any case. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key.toLowerCase());
}

export const RESERVED_KEY_REASON = 'is a reserved name (a property of every JavaScript object) and no Patroni or Postgres key; rename or remove it';

/**
 * Postgres' guc-file.l: ID = [A-Za-z_][A-Za-z0-9_]* and QUALIFIED_ID = ID.ID (extension
 * settings such as `pg_stat_statements.max`). Non-ASCII letters, also allowed there,
 * are left out: no real setting has one.
 */
const GUC_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Null when `name` may be a Postgres setting; else the reason and fix for an issue. */
export function settingNameProblem(name: string): string | null {
  if (isReservedKey(name)) return RESERVED_KEY_REASON;
  if (!GUC_NAME.test(name)) {
    return 'is not a Postgres setting name; use letters, digits and _ (extension settings as ext.name, e.g. pg_stat_statements.max)';
  }
  return null;
}

/** Line feed, carriage return, NUL: what would break one `name = 'value'` line in two. */
const LINE_BREAKING = /[\n\r\0]/;

export function hasLineBreak(text: string): boolean {
  return LINE_BREAKING.test(text);
}

export const LINE_BREAK_REASON = 'contains a line break or NUL character, which would be written as two lines of a config file; put the value on one line';

/** Null when `value` can be written as a setting's value; else the reason and fix for an issue. */
export function settingValueProblem(value: unknown): string | null {
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'is not a finite number; write a number such as 100 or a string such as 4MB';
  if (typeof value === 'string') return hasLineBreak(value) ? LINE_BREAK_REASON : null;
  return 'is not a setting value; write a string, a number or true/false (lists and mappings are not Postgres values)';
}

/** Adds `key` as an own property even if it were `__proto__` (assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
