/**
 * Applies the key table to a config: a refused key that is set becomes an issue naming
 * it, a warned key one warning line naming it. Used keys are left to the section checks.
 */
import { isRecord } from '../records.js';
import { PATRONI_KEYS } from './table.js';
import type { PatroniKey, PatroniKeySection } from './types.js';

export interface KeyFinding {
  /** The concrete path where the key was found (`slots.s1.cluster_type`). */
  readonly path: string;
  readonly key: PatroniKey;
}

/** Every concrete path in `doc` that `pattern` (dotted, `*` = any name or list index) names and that holds a value. */
export function findPaths(doc: unknown, pattern: string): string[] {
  const out: string[] = [];
  const walk = (value: unknown, segments: readonly string[], at: string): void => {
    if (segments.length === 0) {
      if (value !== undefined && value !== null) out.push(at);
      return;
    }
    const [head, ...rest] = segments as [string, ...string[]];
    const join = (key: string): string => (at ? `${at}.${key}` : key);
    if (Array.isArray(value) && head === '*') value.forEach((item: unknown, i) => walk(item, rest, `${at}[${i}]`));
    if (!isRecord(value)) return;
    if (head === '*') for (const key of Object.keys(value)) walk(value[key], rest, join(key));
    else if (Object.hasOwn(value, head)) walk(value[head], rest, join(head));
  };
  walk(doc, pattern.split('.'), '');
  return out;
}

/** The warned and refused keys of `section` that `doc` sets; paths get `prefix` (`bootstrap.dcs`). */
export function unhonouredKeys(doc: unknown, section: PatroniKeySection, prefix = ''): KeyFinding[] {
  const findings: KeyFinding[] = [];
  for (const key of PATRONI_KEYS) {
    if (key.section !== section || key.status === 'used') continue;
    for (const path of findPaths(doc, key.path)) findings.push({ path: prefix ? `${prefix}.${path}` : path, key });
  }
  return findings;
}

/** The warning line for a warned key: names the key and says it does nothing here. */
export function warnedKeyMessage(finding: KeyFinding): string {
  return `${finding.path} has no effect in pgwarden: ${finding.key.reason ?? 'it is not supported'}`;
}
