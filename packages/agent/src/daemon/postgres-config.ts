/**
 * patroni.yml's `postgresql` and `bootstrap` sections → the real controller's
 * LocalPostgresConfig. The controller takes Patroni's key names, so this is mostly a
 * copy; what it adds: scope and name, custom replica/bootstrap methods gathered by name,
 * the dynamic-only switches (use_slots, use_pg_rewind) from the dynamic config, and
 * `run_as` when the agent runs as root (tests, never production).
 */
import type { DynamicSettings, LocalPostgresConfig, RoleCredentials, RunAs } from '@pgwarden/core';
import type { LocalConfig, PostgresUser } from '../config/local-config.js';
import { isRecord, type RawConfig } from '../config/records.js';
import { postgresUserRunAs } from './run-as.js';

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * A validated role → the controller's credentials: username, password and the libpq
 * settings Patroni passes along (sslmode, sslcert, sslkey, sslpassword, sslrootcert,
 * sslcrl, sslcrldir, gssencmode, channel_binding). Dropping the settings here once made
 * replication ignore a configured client certificate (issue 20).
 */
function role(user: PostgresUser): RoleCredentials {
  return { ...user.options, username: user.username, ...(user.password !== undefined && { password: user.password }) };
}

/** Sections named by create_replica_methods (other than basebackup) are custom methods. */
function replicaMethods(pg: RawConfig, methods: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of methods) if (m !== 'basebackup' && isRecord(pg[m])) out[m] = pg[m];
  return out;
}

export function toLocalPostgresConfig(config: LocalConfig, dynamic: DynamicSettings, runAs: RunAs | null = postgresUserRunAs()): LocalPostgresConfig {
  const pg = config.postgresql.raw;
  const auth = config.postgresql.authentication;
  const rewind = auth.rewind && role(auth.rewind);
  const boot = config.bootstrap.raw;
  const method = str(boot.method) ?? 'initdb';
  const bootstrapMethods: Record<string, Record<string, unknown>> = {};
  if (method !== 'initdb' && isRecord(boot[method])) bootstrapMethods[method] = boot[method];
  const dynamicPg = isRecord(dynamic.document.postgresql) ? dynamic.document.postgresql : {};
  const usePgRewind = pg.use_pg_rewind ?? dynamicPg.use_pg_rewind;
  const listen = `${config.postgresql.listen.hosts.join(',')}:${config.postgresql.listen.port}`;
  const out: Record<string, unknown> = {
    scope: config.scope,
    name: config.name,
    data_dir: config.postgresql.dataDir,
    config_dir: config.postgresql.configDir,
    ...(config.postgresql.binDir && { bin_dir: config.postgresql.binDir }),
    listen,
    connect_address: `${config.postgresql.connectAddress.host}:${config.postgresql.connectAddress.port}`,
    authentication: {
      superuser: role(auth.superuser),
      replication: role(auth.replication),
      ...(rewind && { rewind }),
    },
    parameters: isRecord(pg.parameters) ? pg.parameters : {},
    use_slots: dynamic.useSlots,
    use_pg_rewind: usePgRewind === undefined ? dynamic.usePgRewind : usePgRewind === true || usePgRewind === 'true' || usePgRewind === 'on',
    create_replica_methods: config.postgresql.createReplicaMethods,
    replica_methods: replicaMethods(pg, config.postgresql.createReplicaMethods),
    callbacks: config.postgresql.callbacks,
    pg_ctl_timeout: config.postgresql.pgCtlTimeout,
    bootstrap: {
      method,
      ...(boot.initdb !== undefined && { initdb: boot.initdb }),
      ...(Array.isArray(boot.pg_hba) && { pg_hba: boot.pg_hba }),
      ...(str(boot.post_bootstrap ?? boot.post_init) && { post_bootstrap: str(boot.post_bootstrap ?? boot.post_init) }),
      methods: bootstrapMethods,
    },
    ...(runAs && { run_as: runAs }),
  };
  // Keys copied as written when present (same names in patroni.yml and the controller).
  for (const key of [
    'pg_hba',
    'pg_ident',
    'custom_conf',
    'pgpass',
    'recovery_conf',
    'remove_data_directory_on_rewind_failure',
    'remove_data_directory_on_diverged_timelines',
    'basebackup',
    'pre_promote',
    'before_stop',
  ]) {
    if (pg[key] !== undefined && pg[key] !== null) out[key] = pg[key];
  }
  return out as unknown as LocalPostgresConfig;
}
