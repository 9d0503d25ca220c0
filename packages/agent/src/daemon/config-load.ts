/**
 * Loading and checking patroni.yml for a start: every problem is one line (the same
 * wording as `--validate-config`), collected into one DaemonStartError.
 */
import { existsSync } from 'node:fs';
import { formatConfigIssue } from '@pgwarden/core';
import type { CliIo } from '../cli/io.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { LocalConfig } from '../config/local-config.js';
import { checkConfig } from '../config/validate-config.js';
import { DaemonStartError } from './errors.js';

export interface StartConfig {
  readonly config: LocalConfig;
  readonly loaded: LoadedConfig;
  readonly warnings: readonly string[];
}

export async function loadStartConfig(configPath: string | undefined, env: CliIo['env']): Promise<StartConfig> {
  if (configPath !== undefined && !existsSync(configPath)) throw new DaemonStartError(`${configPath}: config file or directory does not exist`);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ ...(configPath !== undefined && { path: configPath }), env });
  } catch (error) {
    throw new DaemonStartError((error as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const result = await checkConfig(loaded.raw, { mode: 'start' });
  if (!result.ok) throw new DaemonStartError(result.issues.map((i) => formatConfigIssue(i).replace(/\s*\n\s*/g, ' ')).join('\n'));
  return { config: result.config, loaded, warnings: result.warnings };
}
