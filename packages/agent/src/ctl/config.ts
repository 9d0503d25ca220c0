/**
 * The configuration patronictl works from: `-c FILE`, else `$PATRONICTL_CONFIG_FILE`,
 * else `~/.config/patroni/patronictl.yaml` (ignored when missing). It is read by the
 * agent's loader without validation, so PATRONI_* variables apply as they do for
 * patronictl. `--dcs-url` replaces the file's DCS section; `-k` sets ctl.insecure.
 */
import { existsSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { scanDcsSections } from '../config/dcs-sections.js';
import { loadConfig } from '../config/load.js';
import { isRecord, type RawConfig } from '../config/records.js';
import { parseDcsUrl } from './dcs-url.js';
import { CtlError } from './errors.js';

export interface CtlConfigOptions {
  readonly configFile?: string;
  readonly dcsUrl?: string;
  readonly insecure?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function defaultConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.HOME || homedir(), '.config', 'patroni', 'patronictl.yaml');
}

export function loadCtlConfig(options: CtlConfigOptions): Record<string, unknown> {
  const env = options.env ?? process.env;
  const explicit = options.configFile ?? (env.PATRONICTL_CONFIG_FILE || undefined);
  let path: string | undefined;
  if (explicit) {
    try {
      accessSync(explicit, constants.R_OK);
    } catch {
      throw new CtlError(`Provided config file ${explicit} not existing or no read rights. Check the -c/--config-file parameter`);
    }
    path = explicit;
  } else {
    const fallback = defaultConfigPath(env);
    if (existsSync(fallback)) path = fallback;
  }
  let raw: RawConfig;
  try {
    raw = loadConfig({ ...(path !== undefined && { path }), env }).raw;
  } catch (error) {
    throw new CtlError((error as Error).message, { cause: error });
  }
  const config: Record<string, unknown> = { ...raw };
  const dcsUrl = options.dcsUrl ?? (env.DCS_URL || undefined);
  if (dcsUrl) {
    const url = parseDcsUrl(dcsUrl);
    for (const ref of scanDcsSections(raw).usable) delete config[ref.name];
    for (const name of ['etcd', 'etcd3', 'consul', 'zookeeper', 'redis', 'exhibitor', 'kubernetes', 'raft']) delete config[name];
    config[url.section] = url.value;
    if (url.namespace !== undefined) config.namespace = url.namespace;
  }
  if (options.insecure) config.ctl = { ...(isRecord(config.ctl) ? config.ctl : {}), insecure: true };
  return config;
}
