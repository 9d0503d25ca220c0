/**
 * How `PATCH /config` merges and `PUT /config` compares, as Patroni does: `null`
 * deletes a key, objects merge recursively, a scalar replaces only when its Python
 * `str()` differs (so `"10"` does not replace `10`).
 *
 * Keys come from a request body, so any name can arrive, `__proto__` included (JSON.parse
 * makes it an own key). Keys are read only when own and written with defineProperty:
 * `target['__proto__'] = v` would replace the target's prototype instead, and the merged
 * document would then show (and validate) keys that are not in the JSON written.
 */
import { pythonStr, setOwn, type JsonObject } from '@pgwarden/core';

type MutableJson = Record<string, unknown>;

function isObject(value: unknown): value is MutableJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when `value` nests more than `limit` lists or mappings deep. Checked before
 * merging: the merge and structuredClone recurse, and a 1 MB body can nest 500,000
 * levels. Iterative, so the check itself cannot overflow the stack.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
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
          setOwn(target, key, structuredClone(value));
          changed = true;
        }
      } else if (pythonStr(current) !== pythonStr(value)) {
        setOwn(target, key, structuredClone(value));
        changed = true;
      }
    } else {
      setOwn(target, key, structuredClone(value));
      changed = true;
    }
  }
  return changed;
}

/** Same keys at every level, and leaves equal by Python `str()`. */
export function deepCompare(a: JsonObject, b: JsonObject): boolean {
  const ka = Object.keys(a);
  const kb = new Set(Object.keys(b));
  // Same own keys, so every read below is of an own property.
  if (ka.length !== kb.size || !ka.every((k) => kb.has(k))) return false;
  return ka.every((k) => {
    const va = a[k];
    const vb = b[k];
    if (isObject(va)) return isObject(vb) && deepCompare(va, vb);
    return pythonStr(va) === pythonStr(vb);
  });
}
