/**
 * Patroni's `parse_int`: an integer with an optional unit, as PostgreSQL parses GUC values.
 * The REST API uses it for `?lag=` (base unit `B`) and the restart `timeout` (base `s`).
 * Units are case-sensitive and 1024-based (`kB`, `MB`, `GB`, `TB`); hex (`0x10`) and
 * octal (`010`) prefixes work as in C's strtol. Anything unparsable gives null.
 */
const MEMORY_UNITS: readonly (readonly [string, Readonly<Record<string, number>>])[] = [
  ['TB', { B: 1024 ** 4, kB: 1024 ** 3, MB: 1024 ** 2 }],
  ['GB', { B: 1024 ** 3, kB: 1024 ** 2, MB: 1024 }],
  ['MB', { B: 1024 ** 2, kB: 1024, MB: 1 }],
  ['kB', { B: 1024, kB: 1, MB: 1024 ** -1 }],
  ['B', { B: 1, kB: 1024 ** -1, MB: 1024 ** -2 }],
];

const TIME_UNITS: readonly (readonly [string, Readonly<Record<string, number>>])[] = [
  ['d', { ms: 1000 * 60 ** 2 * 24, s: 60 ** 2 * 24, min: 60 * 24 }],
  ['h', { ms: 1000 * 60 ** 2, s: 60 ** 2, min: 60 }],
  ['min', { ms: 1000 * 60, s: 60, min: 1 }],
  ['s', { ms: 1000, s: 1, min: 60 ** -1 }],
  ['ms', { ms: 1, s: 1000 ** -1, min: 1 / (1000 * 60) }],
  ['us', { ms: 1000 ** -1, s: 1000 ** -2, min: 1 / (1000 ** 2 * 60) }],
];

function conversionTable(baseUnit: string): readonly (readonly [string, Readonly<Record<string, number>>])[] {
  if (baseUnit === 'B' || baseUnit === 'kB' || baseUnit === 'MB') return MEMORY_UNITS;
  if (baseUnit === 'ms' || baseUnit === 's' || baseUnit === 'min') return TIME_UNITS;
  return [];
}

/** C's strtol with base 0: the leading integer and the rest of the text. */
function strtol(text: string): { value: number | null; rest: string } {
  const s = text.trim();
  const hex = /^[-+]?0x[0-9a-fA-F]+/.exec(s);
  if (hex) return { value: signed(hex[0], (d) => parseInt(d.slice(2), 16)), rest: s.slice(hex[0].length) };
  const oct = /^[-+]?0[0-7]*/.exec(s);
  if (oct) return { value: signed(oct[0], (d) => parseInt(d || '0', 8)), rest: s.slice(oct[0].length) };
  const dec = /^[-+]?(0|[1-9][0-9]*)/.exec(s);
  if (dec) return { value: Number(dec[0]), rest: s.slice(dec[0].length) };
  return { value: null, rest: s };
}

function signed(literal: string, parse: (digits: string) => number): number {
  const negative = literal.startsWith('-');
  const digits = literal.replace(/^[-+]/, '');
  const n = parse(digits);
  return negative ? -n : n;
}

function strtod(text: string): { value: number | null; rest: string } {
  const s = text.trim();
  const m = /^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?/.exec(s);
  return m ? { value: Number(m[0]), rest: s.slice(m[0].length) } : { value: null, rest: s };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function convertToBaseUnit(value: number, unit: string, baseUnitSpec: string): number | null {
  // The base may carry a multiplier (`16MB`); without digits the multiplier is 1.
  const base = strtol(baseUnitSpec);
  const baseValue = base.value ?? 1;
  const baseUnit = base.rest;
  const table = conversionTable(baseUnit);
  const index = table.findIndex(([u]) => u === unit);
  const row = table[index];
  const factor = row?.[1][baseUnit];
  if (!row || factor === undefined) return null;
  let result = (value * factor) / baseValue;
  // Round to a whole number of the next smaller unit, as PostgreSQL does.
  const next = table[index + 1];
  const multiplier = next?.[1][baseUnit];
  if (next && multiplier !== undefined) result = roundHalfEven(result / multiplier) * multiplier;
  return result;
}

export function parsePatroniInt(value: unknown, baseUnit?: string): number | null {
  if (value === null || value === undefined || typeof value === 'object') return null;
  const text = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
  let { value: parsed, rest } = strtol(text);
  if ((parsed === null && rest.startsWith('.')) || (rest !== '' && '.eE'.includes(rest[0]!))) {
    ({ value: parsed, rest } = strtod(text));
  }
  if (parsed === null) return null;
  const unit = rest.trim();
  if (!unit) return roundHalfEven(parsed);
  if (baseUnit === undefined) return null;
  const converted = convertToBaseUnit(parsed, unit, baseUnit);
  return converted === null ? null : roundHalfEven(converted);
}
