/**
 * How `PATCH /config` merges and `PUT /config` compares, as Patroni does: `null`
 * deletes a key, objects merge recursively, a scalar replaces only when its Python
 * `str()` differs (so `"10"` does not replace `10`).
 */
import { pythonStr, type JsonObject } from '@pgwarden/core';

type MutableJson = Record<string, unknown>;

function isObject(value: unknown): value is MutableJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies `patch` to `target` in place; true when anything changed. */
export function patchConfig(target: MutableJson, patch: JsonObject): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (Object.hasOwn(target, key)) {
        const old = target[key];
        delete target[key];
        if (old !== null) changed = true;
      }
    } else if (Object.hasOwn(target, key)) {
      const current = target[key];
      if (isObject(value)) {
        if (isObject(current)) {
          if (patchConfig(current, value)) changed = true;
        } else {
          target[key] = structuredClone(value);
          changed = true;
        }
      } else if (pythonStr(current) !== pythonStr(value)) {
        target[key] = structuredClone(value);
        changed = true;
      }
    } else {
      target[key] = structuredClone(value);
      changed = true;
    }
  }
  return changed;
}

/** Same keys at every level, and leaves equal by Python `str()`. */
export function deepCompare(a: JsonObject, b: JsonObject): boolean {
  const ka = Object.keys(a);
  const kb = new Set(Object.keys(b));
  if (ka.length !== kb.size || !ka.every((k) => kb.has(k))) return false;
  return ka.every((k) => {
    const va = a[k];
    const vb = b[k];
    if (isObject(va)) return isObject(vb) && deepCompare(va, vb);
    return pythonStr(va) === pythonStr(vb);
  });
}
