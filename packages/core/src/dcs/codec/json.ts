import type { JsonObject } from '../cluster.js';

/** Parses JSON, or returns undefined: DCS values may hold anything. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compact JSON with non-ASCII escaped as `\uXXXX`, which is what Python's `json.dumps`
 * produces with the separators Patroni uses, so values compare byte for byte.
 */
export function toPatroniJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Copies the fields of `source` that are not in `known`. */
export function extraFields(source: JsonObject, known: readonly string[]): JsonObject {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) if (!known.includes(k)) extra[k] = v;
  return extra;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Only objects need the walk: most fields are strings and numbers.
    for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  }
  return value;
}
