/**
 * Lenient readers for values people and Patroni write (tags, peers' status documents,
 * pgwarden's own settings): booleans arrive as `true`, `"on"`, `"yes"`, `1`…, numbers as
 * strings. A value that cannot be read falls back to the default rather than failing
 * the cycle. Booleans follow Patroni's parse_bool exactly, so a tag works the same in a
 * mixed cluster.
 */
import { parsePatroniBool } from './patroni-values.js';

export function readBool(value: unknown, fallback: boolean): boolean {
  return parsePatroniBool(value) ?? fallback;
}

/** An integer (strings of digits accepted); `fallback` for anything else. */
export function readInt(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  return fallback;
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
