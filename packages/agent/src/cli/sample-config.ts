/**
 * The sample configuration `--generate-sample-config` prints, built like Patroni's:
 * this host's name and address, the PATRONI_ and PGWARDEN_ variables that are set, and
 * defaults that depend on the local Postgres major version (read from
 * `postgres --version` in bin_dir or on PATH): wal_keep_size vs wal_keep_segments,
 * scram-sha-256 vs md5, a rewind user from PG 11. `#FIXME` marks what must be filled in.
 */
import { execFileSync } from 'node:child_process';
import { scrubEnvironment } from '../config/secrets.js';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { defaultDynamicParameters } from '@pgwarden/core';
import { configFromEnvironment } from '../config/env.js';
import { patchConfig } from '../config/patch.js';
import { isRecord, type RawConfig } from '../config/records.js';
import { DEFAULT_LOG_FORMAT } from '../config/validate/log.js';

export const NO_VALUE = '#FIXME';

/** This host's first non-internal address, IPv4 preferred. */
export function localAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter((a) => !a.internal);
  return (external.find((a) => a.family === 'IPv4') ?? external[0])?.address ?? NO_VALUE;
}

/** `postgres --version` → server_version_num of the major (150000), or 0 when it cannot be run. */
export function postgresMajorVersion(binDir: string | undefined, postgres = 'postgres'): number {
  try {
    const out = execFileSync(binDir ? join(binDir, postgres) : postgres, ['--version'], { encoding: 'utf8', timeout: 5000, env: scrubEnvironment(process.env) });
    const match = /(\d+)(?:\.(\d+))?/.exec(out.replace(/^[^)]*\)/, ''));
    if (!match) return 0;
    const major = Number(match[1]);
    return major >= 10 ? major * 10000 : major * 10000 + Number(match[2] ?? 0) * 100;
  } catch {
    return 0;
  }
}

/**
 * Patroni's template both generators start from: this host's name and address, default
 * log settings, placeholder credentials, default tags, `bootstrap.dcs` with the default
 * dynamic settings, and whatever the PATRONI_/PGWARDEN_ variables set on top.
 */
export function buildTemplateConfig(env: Readonly<Record<string, string | undefined>>): RawConfig {
  const ip = localAddress();
  const template: RawConfig = {
    scope: NO_VALUE,
    name: hostname() || NO_VALUE,
    restapi: { connect_address: `${ip}:8008`, listen: `${ip}:8008` },
    log: { type: 'plain', level: 'INFO', format: DEFAULT_LOG_FORMAT },
    postgresql: {
      data_dir: NO_VALUE,
      connect_address: `${ip}:5432`,
      listen: `${ip}:5432`,
      bin_dir: '',
      authentication: {
        superuser: { username: 'postgres', password: NO_VALUE },
        replication: { username: 'replicator', password: NO_VALUE },
      },
    },
    tags: { failover_priority: 1, noloadbalance: false, clonefrom: true, nosync: false, nostream: false },
  };
  const fromEnv = configFromEnvironment(env).config;
  const dcs = { ttl: 30, loop_wait: 10, retry_timeout: 10, postgresql: { use_slots: true, parameters: defaultDynamicParameters() } };
  return patchConfig(template, patchConfig({ bootstrap: { dcs } }, fromEnv));
}

export function buildSampleConfig(env: Readonly<Record<string, string | undefined>>, pgMajorOverride?: number): RawConfig {
  const config = buildTemplateConfig(env) as Record<string, Record<string, unknown>>;

  const pg = config.postgresql as Record<string, unknown>;
  const binName = isRecord(pg.bin_name) && typeof pg.bin_name.postgres === 'string' ? pg.bin_name.postgres : 'postgres';
  const major = pgMajorOverride ?? postgresMajorVersion(typeof pg.bin_dir === 'string' && pg.bin_dir ? pg.bin_dir : undefined, binName);
  const auth = major >= 100000 || major === 0 ? 'scram-sha-256' : 'md5';
  const replicationUser = String((pg.authentication as Record<string, Record<string, unknown>>).replication?.username ?? 'replicator');
  pg.parameters = { ...(isRecord(pg.parameters) ? pg.parameters : {}), password_encryption: auth };
  pg.pg_hba = [`host all all all ${auth}`, `host replication ${replicationUser} all ${auth}`];

  const bootstrapDcs = (config.bootstrap as Record<string, Record<string, Record<string, unknown>>>).dcs!;
  const dcsPg = bootstrapDcs.postgresql as Record<string, unknown>;
  const params = dcsPg.parameters as Record<string, unknown>;
  // Unknown version (no postgres found): assume a current one.
  if (major !== 0 && major < 130000) params.wal_keep_segments = 8;
  else params.wal_keep_size = '128MB';
  params.wal_level = major !== 0 && major < 90600 ? 'hot_standby' : 'replica';
  dcsPg.use_pg_rewind = params.wal_log_hints === 'on';
  if (major === 0 || major >= 110000) {
    const users = pg.authentication as Record<string, Record<string, unknown>>;
    users.rewind = { username: 'rewind_user', password: NO_VALUE, ...users.rewind };
  }
  return config;
}
