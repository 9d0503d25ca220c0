/**
 * Patroni's readers for loosely typed values (its `parse_bool` and `parse_int`), kept to
 * the exact words and number forms Patroni accepts, so a value that works in a Patroni
 * cluster works here and one Patroni refuses is refused here too.
 *
 * (`lenient.ts` beside this file is the HA engine's more forgiving reader; it also
 * takes `y`, `t` and any non-zero number as true. See dynamic-schema.ts for the merge.)
 */

const TRUE_WORDS = new Set(['on', 'true', 'yes', '1']);
const FALSE_WORDS = new Set(['off', 'false', 'no', '0']);

/**
 * `on`/`true`/`yes`/`1` → true, `off`/`false`/`no`/`0` → false (any case), else null.
 * Like Patroni it works on the value's text form, so the number 1 is true and 2 is null.
 */
export function parsePatroniBool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const word = String(value).toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** Memory units relative to one byte, and time units relative to one millisecond. */
const MEMORY_UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Python's round(): halves go to the even neighbour (4097.5 → 4098, 2.5 → 2). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The leading number of a setting the way C's strtol/strtod (base 0) read it; null if none. */
function leadingNumber(text: string): { value: number; rest: string } | null {
  const integer = /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  const real = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(text);
  // A fraction or exponent after the digits makes it a real number (`4097.5kB`, `1e3`).
  if (real && (!integer || real[0].length > integer[0].length)) {
    return { value: Number(real[0]), rest: text.slice(real[0].length) };
  }
  if (!integer) return null;
  const literal = integer[0];
  const sign = literal.startsWith('-') ? -1 : 1;
  const digits = literal.replace(/^[+-]/, '');
  const value = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10);
  return { value: sign * value, rest: text.slice(literal.length) };
}

/** `unit` converted to `baseUnit` (which may carry a multiplier, e.g. `16MB`); null if they do not match. */
function unitFactor(unit: string, baseUnit: string): number | null {
  const base = /^(\d*)\s*(.*)$/.exec(baseUnit.trim());
  const multiplier = base?.[1] ? Number(base[1]) : 1;
  const baseName = base?.[2] ?? '';
  for (const table of [MEMORY_UNITS, TIME_UNITS]) {
    const from = table[unit];
    const to = table[baseName];
    if (from !== undefined && to !== undefined) return from / (to * multiplier);
  }
  return null;
}

/**
 * An integer from a number or a Postgres-style setting: `42`, `" 42 "`, `0x10`, `010`
 * (octal), `4097.5` (rounded half to even), and with `baseUnit` a unit suffix
 * (`1GB` with base `MB` → 1024). Anything else → null, including text that only reads
 * as infinity (`"1e400"`, 300 hex digits): Python's int() would be exact there, and no
 * setting can use such a number, so it is refused rather than becoming Infinity.
 */
export function parsePatroniInt(value: unknown, baseUnit?: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? roundHalfEven(value) : null;
  if (typeof value !== 'string') return null;
  const parsed = leadingNumber(value.trim());
  if (!parsed) return null;
  const unit = parsed.rest.trim();
  if (!unit) return finite(roundHalfEven(parsed.value));
  if (!baseUnit) return null;
  const factor = unitFactor(unit, baseUnit);
  return factor === null ? null : finite(roundHalfEven(parsed.value * factor));
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
