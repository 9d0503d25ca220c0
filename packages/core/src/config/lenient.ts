/**
 * Lenient readers for values in the dynamic configuration. `/config` is written by
 * people (patronictl edit-config, PATCH /config) and by Patroni, so booleans arrive as
 * `true`, `"on"`, `"yes"`, `1`…, and numbers as strings. A value that cannot be read
 * falls back to the default rather than failing the cycle.
 */
const TRUE_WORDS = new Set(['on', 'true', 'yes', 'y', '1', 't']);
const FALSE_WORDS = new Set(['off', 'false', 'no', 'n', '0', 'f']);

export function readBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return fallback;
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
