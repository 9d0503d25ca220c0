/**
 * SIGHUP and `POST /reload`, as Patroni's reload_config: re-read patroni.yml and the
 * environment and validate them as a start would. A config with problems is refused —
 * each problem logged on one line — and the running one stays.
 *
 * Of a valid one, what changed takes effect at once:
 * - `log`: level, type, format, dateformat, static fields, and `dir`/`file_size`/`file_num`
 *   (switching between stderr and a log file);
 * - `tags`: published in the member key at the next cycle and in `/patroni` at once;
 * - `postgresql`: parameters, pg_hba, pg_ident, authentication, callbacks and scripts —
 *   the files are rewritten and Postgres reloaded, and parameters that need a restart
 *   show as `pending_restart`; `connect_address`/`proxy_address` in the member key;
 * - `restapi`: the server is restarted with the new settings (listen, authentication,
 *   TLS, allowlist, headers); if the new one cannot start the old one stays;
 * - certificates are re-read from disk on every reload (renewed files);
 * - `watchdog`: `off` closes an open device at once; other changes take effect at the
 *   next activation or keepalive (core's Watchdog.reload, Patroni's rules).
 * What cannot change under a running agent — name, scope, namespace, the DCS section,
 * citus, and postgresql data_dir/config_dir/bin_dir/bin_name/listen/pgpass —
 * keeps its old value and is logged as needing a restart of the agent. `bootstrap` only
 * matters to a new cluster and is ignored, as in Patroni.
 */
import type { DynamicSettings, HaLoop, NodeConfig, TagValue } from '@pgwarden/core';
import { readTags } from '@pgwarden/core';
import type { CliIo } from '../cli/io.js';
import type { LocalConfig } from '../config/local-config.js';
import { loadStartConfig } from './config-load.js';
import { logSettingsOf, type DaemonLogger } from './log.js';
import { toNodeConfig } from './node-config.js';
import type { ObservedController } from './observed-controller.js';
import { oneLine } from './open-dcs.js';
import { toLocalPostgresConfig } from './postgres-config.js';
import { filterTags } from './state-source.js';

export type MutableNodeConfig = { -readonly [K in keyof NodeConfig]: NodeConfig[K] };

export interface ReloadDeps {
  readonly configPath: string | undefined;
  readonly io: CliIo;
  readonly logger: DaemonLogger;
  readonly controller: ObservedController;
  readonly loop: Pick<HaLoop, 'wake'>;
  /** `--log-format`, which wins over `log.type` on reload too. */
  readonly logFormat?: 'plain' | 'json';
  /** The config in force; a successful reload replaces `config`. */
  readonly current: { config: LocalConfig };
  readonly dynamic: () => DynamicSettings;
  /** The loop's NodeConfig object: it reads it every cycle, so changes are published. */
  readonly node: MutableNodeConfig;
  /** The tags object the REST API reads. */
  readonly tags: Record<string, TagValue>;
  /** Restarts the REST API with `config.restapi`; throws (old server kept) when it cannot. */
  readonly restartApi: (config: LocalConfig) => Promise<void>;
  readonly reloadCertificates: () => Promise<void>;
  /** The agent's watchdog (the `watchdog:` section). */
  readonly watchdog?: { reload(settings: LocalConfig['watchdog']): void };
}

export interface ReloadOutcome {
  readonly ok: boolean;
  /** Sections (or keys) whose change took effect. */
  readonly applied: readonly string[];
  /** Keys that changed but need a restart of the agent. */
  readonly notReloadable: readonly string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Top-level keys a running agent cannot take over (besides the DCS section, found by name). */
const FIXED_TOP_LEVEL = ['name', 'scope', 'namespace', 'citus'];

export async function reloadConfig(deps: ReloadDeps): Promise<ReloadOutcome> {
  const { logger } = deps;
  logger.info('Reloading configuration');
  let next: LocalConfig;
  try {
    next = (await loadStartConfig(deps.configPath, deps.io.env)).config;
  } catch (error) {
    // One line per problem; the running configuration stays in force.
    for (const line of (error as Error).message.split('\n')) logger.error(`Configuration not reloaded: ${line}`);
    return { ok: false, applied: [], notReloadable: [] };
  }
  const old = deps.current.config;
  const applied: string[] = [];
  const notReloadable: string[] = [];
  const changed = (key: string): boolean => !same(old.raw[key], next.raw[key]);

  for (const key of FIXED_TOP_LEVEL) if (changed(key)) notReloadable.push(key);
  if (old.dcs.name !== next.dcs.name || changed(old.dcs.name)) notReloadable.push(old.dcs.name === next.dcs.name ? old.dcs.name : `${old.dcs.name} → ${next.dcs.name}`);

  if (changed('log')) {
    try {
      logger.configure(logSettingsOf(next.log, deps.logFormat));
      applied.push('log');
    } catch (error) {
      logger.error(`log not reloaded: ${oneLine(error)}`);
    }
  }

  if (changed('tags')) {
    for (const k of Object.keys(deps.tags)) delete deps.tags[k];
    Object.assign(deps.tags, filterTags(next.tags.raw));
    deps.node.tags = readTags(next.tags.raw);
    applied.push('tags');
  }

  // The member key's addresses follow connect_address/proxy_address (not the listen sockets).
  const nextNode = toNodeConfig(next);
  for (const key of ['connUrl', 'proxyUrl', 'apiUrl', 'canCloneWithoutLeader', 'removeDataDirectoryOnDivergedTimelines'] as const) {
    if (!same(deps.node[key], nextNode[key])) (deps.node as Record<string, unknown>)[key] = nextNode[key];
  }

  const pg = await deps.controller.reloadConfig(toLocalPostgresConfig(next, deps.dynamic()), { timeoutMs: 5000 });
  if (!pg.ok) logger.warn(`PostgreSQL configuration not reloaded: ${pg.message}`);
  else {
    if (changed('postgresql')) applied.push('postgresql');
    for (const key of pg.value?.notApplied ?? []) notReloadable.push(`postgresql.${key}`);
    const report = pg.value?.report;
    if (report?.reloaded.length) logger.info(`Reloaded PostgreSQL configuration: ${report.reloaded.join(', ')}`);
    const pending = Object.keys(report?.pendingRestart ?? {});
    if (pending.length) logger.info(`Changed ${pending.join(', ')}: restart PostgreSQL to apply (pending_restart)`);
  }

  if (changed('restapi')) {
    try {
      await deps.restartApi(next);
      applied.push('restapi');
    } catch (error) {
      logger.error(`restapi not reloaded, the running server stays: ${oneLine(error)}`);
    }
  } else {
    await deps.reloadCertificates().catch((error: unknown) => logger.warn(`restapi certificates not reloaded: ${oneLine(error)}`));
  }

  if (changed('watchdog') && deps.watchdog) {
    deps.watchdog.reload(next.watchdog);
    applied.push('watchdog');
  }

  deps.current.config = withFixedKeys(next, old);
  if (notReloadable.length) logger.warn(`Not reloadable, restart the agent to apply: ${notReloadable.join(', ')}`);
  if (applied.length) logger.info(`Configuration reloaded: ${applied.join(', ')}`);
  else logger.info('Configuration reloaded: nothing changed');
  deps.loop.wake();
  return { ok: true, applied, notReloadable };
}

/** The new config, but with the values a running agent keeps (so the next reload compares against what is in force). */
function withFixedKeys(next: LocalConfig, old: LocalConfig): LocalConfig {
  const raw: Record<string, unknown> = { ...next.raw };
  for (const key of [...FIXED_TOP_LEVEL, old.dcs.name]) {
    if (old.raw[key] === undefined) delete raw[key];
    else raw[key] = old.raw[key];
  }
  if (old.dcs.name !== next.dcs.name) delete raw[next.dcs.name];
  return { ...next, name: old.name, scope: old.scope, namespace: old.namespace, dcs: old.dcs, citus: old.citus, raw };
}
