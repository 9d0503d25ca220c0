/**
 * Keeping secrets out of logs and out of child processes.
 * - `maskSecrets(config)`: a copy of any config tree with every secret value (passwords,
 *   tokens, key passwords, `auth`, credentials inside URLs and conninfo strings)
 *   replaced by `******`, for logging and for `--validate-config` output.
 * - `scrubEnvironment(env)`: a copy of an environment without the PATRONI_* and PGWARDEN_*
 *   variables that carry secrets, for Postgres, callbacks and scripts. (Patroni removes
 *   every variable it reads from its own environment; pass `consumed` from loadConfig to
 *   do the same.)
 */
import { isSecretKey, maskSecretsInText, SECRET_MASK } from '@pgwarden/core';
import { ENV_PREFIXES } from './env.js';
import { isRecord } from './records.js';

export function maskSecrets<T>(config: T): T {
  return maskValue(config, false) as T;
}

function maskValue(value: unknown, secret: boolean): unknown {
  if (secret && value !== null && value !== undefined && value !== '') return SECRET_MASK;
  if (typeof value === 'string') return maskSecretsInText(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, false));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = maskValue(item, isSecretKey(key));
    return out;
  }
  return value;
}

/** Variable names whose value is a secret (or may hold a whole config with secrets). */
const SECRET_ENV = /(PASSWORD|TOKEN|AUTH_DATA|^CONFIGURATION)$/;
/** `scheme://user:password@host` */
const CREDENTIALS_IN_URL = /\/\/[^/@\s]*:[^/@\s]*@/;

export function isSecretEnvironmentVariable(name: string, value: string | undefined): boolean {
  const prefix = ENV_PREFIXES.find((p) => name.startsWith(p));
  if (!prefix) return false;
  return SECRET_ENV.test(name.slice(prefix.length)) || (value !== undefined && CREDENTIALS_IN_URL.test(value));
}

export function scrubEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  consumed: readonly string[] = [],
): Record<string, string> {
  const drop = new Set(consumed);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || drop.has(name) || isSecretEnvironmentVariable(name, value)) continue;
    out[name] = value;
  }
  return out;
}
