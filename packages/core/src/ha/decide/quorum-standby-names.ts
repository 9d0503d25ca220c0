/**
 * synchronous_standby_names in quorum mode: written as `ANY n (a,b,…)`, read back in any
 * of the forms Postgres accepts (`ANY n (…)`, `FIRST n (…)`, `n (…)`, `a,b`, `*`).
 */
import { quoteStandbyName } from './sync.js';

export interface StandbyNames {
  /** How many of `names` must acknowledge; 0 when none are listed. */
  readonly num: number;
  /** As written, unquoted; `*` stands for any standby. */
  readonly names: readonly string[];
  /** Written with ANY (quorum); false for FIRST and plain lists. */
  readonly any: boolean;
}

export const NO_STANDBY_NAMES: StandbyNames = { num: 0, names: [], any: true };

/** `ANY n (a,b)` with names sorted and quoted as needed; null for none; `*` when the list is `*`. */
export function formatQuorumStandbyNames(num: number, names: readonly string[]): string | null {
  if (names.length === 0 || num <= 0) return null;
  if (names.includes('*')) return '*';
  const quoted = [...names].sort().map(quoteStandbyName);
  return `ANY ${Math.min(num, quoted.length)} (${quoted.join(',')})`;
}

/** Reads the live value; something unreadable counts as none (and is rewritten). */
export function parseStandbyNames(value: string | null | undefined): StandbyNames {
  const text = (value ?? '').trim();
  if (text === '') return NO_STANDBY_NAMES;
  const m = /^(?:(ANY|FIRST)\s+)?(\d+)\s*\((.*)\)$/is.exec(text);
  const list = splitNames(m ? m[3]! : text);
  if (list === null || list.length === 0) return NO_STANDBY_NAMES;
  const num = m ? Number(m[2]) : 1;
  return { num: Math.min(num, list.length), names: list, any: m?.[1]?.toUpperCase() === 'ANY' };
}

/** Comma-separated identifiers, double-quoted ones unescaped; null when malformed. */
function splitNames(text: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^",\s]+))\s*(,|$)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while (end < text.length && (m = re.exec(text)) !== null) {
    out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
    end = re.lastIndex;
    if (m[3] === '') break;
  }
  return end >= text.trimEnd().length ? out : null;
}
