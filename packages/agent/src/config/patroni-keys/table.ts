/**
 * Every key of Patroni 4.1's configuration reference, with what pgwarden does with it.
 * Validation consults this table (check.ts) and docs/patroni-keys.md is generated from
 * it (render-doc.ts, `pnpm docs:keys`), so the two cannot disagree.
 */
import { DYNAMIC_KEYS } from './dynamic-keys.js';
import { ENV_KEYS_RAW } from './env-keys.js';
import { LOCAL_KEYS } from './local-keys.js';
import type { PatroniKey } from './types.js';

/** An environment variable has the status and reason of the patroni.yml key it sets. */
function resolveEnv(key: PatroniKey): PatroniKey {
  const target = LOCAL_KEYS.find((k) => k.path === key.sets);
  if (!target) return key;
  return { ...key, status: target.status, ...(target.reason !== undefined && { reason: target.reason }) };
}

export const PATRONI_KEYS: readonly PatroniKey[] = [...LOCAL_KEYS, ...DYNAMIC_KEYS, ...ENV_KEYS_RAW.map(resolveEnv)];

export { DYNAMIC_KEYS, LOCAL_KEYS };
export const ENV_KEYS: readonly PatroniKey[] = ENV_KEYS_RAW.map(resolveEnv);
