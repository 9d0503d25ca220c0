/**
 * Patroni's way of layering configuration (its `patch_config`): mappings merge key by
 * key, a null value deletes the key, anything else replaces. Used to merge the files
 * of a config directory and to put environment variables on top of the files.
 */
import { setOwn } from '@pgwarden/core';
import { isRecord } from './records.js';

/** Returns a new object: `base` with `overlay` patched over it. Neither input is changed. */
export function patchConfig(base: Readonly<Record<string, unknown>>, overlay: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null || value === undefined) {
      delete out[key];
    } else if (isRecord(value) && Object.hasOwn(out, key) && isRecord(out[key])) {
      setOwn(out, key, patchConfig(out[key] as Record<string, unknown>, value));
    } else {
      setOwn(out, key, value);
    }
  }
  return out;
}
