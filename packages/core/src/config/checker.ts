/**
 * A small kit for hand-written config validators: each reader checks one value, records
 * a ConfigIssue (dotted path, masked value, reason + fix) when it is wrong, and returns
 * the typed value or undefined. Validators keep going after a problem so one run
 * reports every issue.
 */
import type { ConfigIssue } from '../errors.js';
import { parsePatroniBool, parsePatroniInt } from './patroni-values.js';
import { isSecretPath, maskSecretsInText, SECRET_MASK } from './secret-keys.js';
import { hasLineBreak, isReservedKey, LINE_BREAK_REASON, RESERVED_KEY_REASON, settingNameProblem, settingValueProblem } from './setting-rules.js';

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a` + `b` → `a.b`; `a` + 1 → `a[1]`; `` + `b` → `b`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The value as an issue may show it: secrets masked, URLs and conninfo strings scrubbed. */
export function displayValue(path: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (isSecretPath(path)) return SECRET_MASK;
  if (typeof value === 'string') return maskSecretsInText(value);
  // Not JSON (only from code, never from a file or the DCS): shown as text so that
  // formatting the issue cannot throw.
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return `(${typeof value})`;
  return value;
}

export interface IntRule {
  readonly min?: number;
  readonly max?: number;
  /** Accept `"42"`, `"0x10"`, `4.0` as Patroni's parse_int does (dynamic config); default strict. */
  readonly lenient?: boolean;
  /** Appended to an out-of-range message: the unit, why the limit exists, an example. */
  readonly hint?: string;
}

export class ConfigChecker {
  readonly issues: ConfigIssue[] = [];

  issue(path: string, value: unknown, reason: string): void {
    const shown = displayValue(path, value);
    this.issues.push(shown === undefined ? { path, reason } : { path, value: shown, reason });
  }

  missing(path: string, example: string): void {
    this.issue(path, undefined, `is not defined; add it, e.g. ${example}`);
  }

  /** A mapping, or undefined (with an issue unless the value was absent or null). */
  record(path: string, value: unknown): JsonRecord | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.issue(path, value, 'is not a dictionary; write it as a YAML mapping of key: value lines');
    return undefined;
  }

  /** `singleLine`: the text goes into a config file line (recovery settings), so no line break or NUL. */
  string(path: string, value: unknown, options: { allowNumber?: boolean; singleLine?: boolean } = {}): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      if (options.singleLine && hasLineBreak(value)) {
        this.issue(path, value, LINE_BREAK_REASON);
        return undefined;
      }
      return value;
    }
    if (options.allowNumber && typeof value === 'number' && Number.isFinite(value)) return String(value);
    this.issue(path, value, 'is not a string; quote it if YAML reads it as a number or boolean');
    return undefined;
  }

  /**
   * True when a user-chosen `key` (a tag, slot or setting name) may become an object key;
   * else an issue: see setting-rules.ts for why Object.prototype's names are refused.
   */
  ownKey(path: string, key: string): boolean {
    if (!isReservedKey(key)) return true;
    this.issue(path, undefined, RESERVED_KEY_REASON);
    return false;
  }

  /** True when `name` is a usable Postgres setting name; else an issue at `path`. */
  settingName(path: string, name: string): boolean {
    const problem = settingNameProblem(name);
    if (problem) this.issue(path, undefined, problem);
    return problem === null;
  }

  /** The value when it can be written into postgresql.conf (string, finite number, boolean); else an issue. */
  settingValue(path: string, value: unknown): string | number | boolean | undefined {
    const problem = settingValueProblem(value);
    if (problem === null) return value as string | number | boolean;
    this.issue(path, value, problem);
    return undefined;
  }

  /** Booleans; `lenient` also takes on/off, yes/no, true/false, 1/0 in any case (Patroni's parse_bool). */
  bool(path: string, value: unknown, options: { lenient?: boolean } = {}): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (options.lenient) {
      const parsed = parsePatroniBool(value);
      if (parsed !== null) return parsed;
    }
    this.issue(path, value, 'is not a boolean; use true or false');
    return undefined;
  }

  int(path: string, value: unknown, rule: IntRule = {}): number | undefined {
    if (value === undefined || value === null) return undefined;
    const parsed = rule.lenient ? parsePatroniInt(value) : typeof value === 'number' && Number.isInteger(value) ? value : null;
    if (parsed === null) {
      this.issue(path, value, 'is not an integer; write a whole number without quotes or units');
      return undefined;
    }
    const hint = rule.hint ? `; ${rule.hint}` : '';
    if (rule.min !== undefined && parsed < rule.min) {
      this.issue(path, value, `must be at least ${rule.min}${rule.max !== undefined ? ` and at most ${rule.max}` : ''}${hint}`);
      return undefined;
    }
    if (rule.max !== undefined && parsed > rule.max) {
      this.issue(path, value, `must be at most ${rule.max}${rule.min !== undefined ? ` and at least ${rule.min}` : ''}${hint}`);
      return undefined;
    }
    return parsed;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.issue(path, value, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }

  /**
   * A list of strings; `commaString` also takes `"a,b"` (as Patroni's env vars and host
   * lists do); `singleLine` refuses items with a line break (each item is one file line, as in pg_hba).
   */
  stringList(
    path: string,
    value: unknown,
    options: { commaString?: boolean; nonEmpty?: boolean; singleLine?: boolean } = {},
  ): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (options.commaString && typeof value === 'string') {
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (!Array.isArray(value)) {
      this.issue(path, value, 'is not a list; write it as a YAML list (- item lines or [a, b])');
      return undefined;
    }
    if (options.nonEmpty && value.length === 0) {
      this.issue(path, value, 'is an empty list; give at least one item');
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string') this.issue(joinPath(path, index), item, 'is not a string; quote it if YAML reads it as a number or boolean');
      else if (options.singleLine && hasLineBreak(item)) this.issue(joinPath(path, index), item, LINE_BREAK_REASON);
      else out.push(item);
    });
    return out.length === value.length ? out : undefined;
  }
}
