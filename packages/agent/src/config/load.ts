/**
 * Where the raw configuration comes from, in Patroni's order:
 * 1. the file or directory given on the command line, if it exists, with the
 *    environment variables patched on top;
 * 2. otherwise `PGWARDEN_CONFIGURATION` / `PATRONI_CONFIGURATION` (a whole config as YAML);
 * 3. otherwise the environment variables alone.
 * Nothing is validated here; see validate-config.ts.
 */
import { existsSync } from 'node:fs';
import { configFromEnvironment } from './env.js';
import { loadConfigPath, parseConfigDocument } from './files.js';
import { patchConfig } from './patch.js';
import type { RawConfig } from './records.js';

export type ConfigSource =
  | { readonly kind: 'path'; readonly path: string; readonly files: readonly string[] }
  | { readonly kind: 'configuration-variable' }
  | { readonly kind: 'environment' };

export interface LoadedConfig {
  readonly raw: RawConfig;
  readonly source: ConfigSource;
  /** The PATRONI_/PGWARDEN_ variables read; remove them from children's environment (see secrets.ts). */
  readonly consumedEnv: readonly string[];
}

export interface LoadOptions {
  /** The CONFIG argument: a YAML file or a directory of them. */
  readonly path?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const fromEnv = configFromEnvironment(options.env ?? process.env);
  if (options.path && existsSync(options.path)) {
    const { config, files } = loadConfigPath(options.path);
    return {
      raw: patchConfig(config, fromEnv.config),
      source: { kind: 'path', path: options.path, files },
      consumedEnv: fromEnv.consumed,
    };
  }
  if (fromEnv.configuration) {
    return {
      raw: parseConfigDocument(fromEnv.configuration, 'PATRONI_CONFIGURATION'),
      source: { kind: 'configuration-variable' },
      consumedEnv: fromEnv.consumed,
    };
  }
  return { raw: fromEnv.config, source: { kind: 'environment' }, consumedEnv: fromEnv.consumed };
}
