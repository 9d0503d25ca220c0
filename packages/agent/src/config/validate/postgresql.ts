import { cmdlineOption, joinPath, setOwn } from '@pgwarden/core';
import { AUTH_PARAMETERS } from '../env.js';
import type { PostgresqlLocalConfig, PostgresUser } from '../local-config.js';
import type { RawConfig } from '../records.js';
import { checkHostPort, checkListenHosts, checkReachableFromPeers } from './addresses.js';
import type { SectionContext } from './context.js';
import { checkDataDir, checkBinaries } from './host-checks.js';

const BINARIES = ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready', 'pg_rewind'];
const CALLBACKS = ['on_start', 'on_stop', 'on_restart', 'on_reload', 'on_role_change'];

function checkUser(ctx: SectionContext, path: string, value: unknown, required: boolean): PostgresUser | undefined {
  const { checker } = ctx;
  if ((value === undefined || value === null) && required) {
    checker.missing(path, `${path}: {username: ${path.endsWith('replication') ? 'replicator' : 'postgres'}, password: <secret>}`);
    return undefined;
  }
  const user = checker.record(path, value);
  if (!user) return undefined;
  if (user.username === undefined || user.username === null) checker.missing(joinPath(path, 'username'), `${path}.username: postgres`);
  const username = checker.string(joinPath(path, 'username'), user.username);
  const password = checker.string(joinPath(path, 'password'), user.password, { allowNumber: true });
  const options: Record<string, string> = {};
  for (const key of AUTH_PARAMETERS) {
    if (key === 'username' || key === 'password') continue;
    const text = checker.string(joinPath(path, key), user[key]);
    if (text !== undefined) options[key] = text;
  }
  if (username === undefined) return undefined;
  return { username, ...(password !== undefined && { password }), options };
}

/**
 * Settings that last longer than this many seconds become timers that Node cuts to
 * 1 ms (setTimeout holds at most 2^31-1 ms); core's dynamic-limits.ts uses the same bound.
 */
const TIMER_LIMIT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Local parameters (also `recovery_conf`): written into postgresql.conf like the dynamic
 * ones, so held to the same rules: a setting name, and a string (on one line), finite
 * number or boolean. The command-line-only ones are ignored here, as Patroni ignores them.
 */
function checkLocalSettings(ctx: SectionContext, path: string, value: unknown, options: { cmdline: boolean }): RawConfig {
  const { checker } = ctx;
  const params = checker.record(path, value) ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(params)) {
    const keyPath = joinPath(path, name);
    if (!checker.settingName(keyPath, name)) continue;
    // null passes through as before: the effective config decides what "not set" means.
    if (item !== null && checker.settingValue(keyPath, item) === undefined) continue;
    if (options.cmdline && cmdlineOption(name)) {
      ctx.warnings.push(`${keyPath} is ignored in the local config; set it in bootstrap.dcs or with patronictl edit-config`);
    } else {
      if (options.cmdline && name === 'unix_socket_directories') checker.string(keyPath, item);
      setOwn(out, name, item);
    }
  }
  return out;
}

export function checkPostgresql(ctx: SectionContext, value: unknown): PostgresqlLocalConfig | undefined {
  const { checker } = ctx;
  if (value === undefined || value === null) {
    checker.missing('postgresql', 'postgresql: {listen: 0.0.0.0:5432, connect_address: 10.0.0.1:5432, data_dir: /var/lib/postgresql/data, …}');
    return undefined;
  }
  const pg = checker.record('postgresql', value);
  if (!pg) return undefined;
  const at = (key: string): string => joinPath('postgresql', key);
  const required: [string, string][] = [
    ['listen', 'postgresql.listen: 0.0.0.0:5432'],
    ['connect_address', 'postgresql.connect_address: 10.0.0.1:5432'],
    ['data_dir', 'postgresql.data_dir: /var/lib/postgresql/15/main'],
  ];
  for (const [key, example] of required) if (pg[key] === undefined || pg[key] === null) checker.missing(at(key), example);

  const listen = checkListenHosts(checker, at('listen'), pg.listen);
  const connectAddress = checkHostPort(checker, at('connect_address'), pg.connect_address, { example: '10.0.0.1:5432' });
  const proxyAddress = checkHostPort(checker, at('proxy_address'), pg.proxy_address, { example: '10.0.0.1:6432' });
  if (ctx.mode === 'full') {
    checkReachableFromPeers(checker, at('connect_address'), connectAddress, pg.connect_address);
    checkReachableFromPeers(checker, at('proxy_address'), proxyAddress, pg.proxy_address);
  }
  const dataDir = checker.string(at('data_dir'), pg.data_dir);
  if (dataDir === '') checker.issue(at('data_dir'), dataDir, 'is an empty string; give the data directory path');
  const configDir = checker.string(at('config_dir'), pg.config_dir);
  const binDir = checker.string(at('bin_dir'), pg.bin_dir);
  const pgpass = checker.string(at('pgpass'), pg.pgpass);

  const binName: Record<string, string> = {};
  const names = checker.record(at('bin_name'), pg.bin_name) ?? {};
  for (const [key, item] of Object.entries(names)) {
    if (!BINARIES.includes(key)) {
      checker.issue(joinPath(at('bin_name'), key), item, `is not a Postgres program pgwarden runs; use one of ${BINARIES.join(', ')}`);
      continue;
    }
    const text = checker.string(joinPath(at('bin_name'), key), item);
    if (text === '') checker.issue(joinPath(at('bin_name'), key), text, 'is an empty string');
    else if (text !== undefined) binName[key] = text;
  }

  if (pg.authentication === undefined || pg.authentication === null) {
    checker.missing(at('authentication'), 'postgresql.authentication: {superuser: {username: postgres}, replication: {username: replicator}}');
  }
  const auth = checker.record(at('authentication'), pg.authentication) ?? {};
  const superuser = pg.authentication ? checkUser(ctx, 'postgresql.authentication.superuser', auth.superuser, true) : undefined;
  const replication = pg.authentication ? checkUser(ctx, 'postgresql.authentication.replication', auth.replication, true) : undefined;
  const rewind = checkUser(ctx, 'postgresql.authentication.rewind', auth.rewind, false);

  const parameters = checkLocalSettings(ctx, at('parameters'), pg.parameters, { cmdline: true });
  // One entry, one line of pg_hba.conf / pg_ident.conf.
  const pgHba = checker.stringList(at('pg_hba'), pg.pg_hba, { singleLine: true });
  const pgIdent = checker.stringList(at('pg_ident'), pg.pg_ident, { singleLine: true });
  const pgCtlTimeout =
    checker.int(at('pg_ctl_timeout'), pg.pg_ctl_timeout, {
      min: 0,
      max: TIMER_LIMIT_SECONDS,
      hint: `pg_ctl_timeout is in seconds and becomes a timer, which holds at most ${TIMER_LIMIT_SECONDS} s; write e.g. pg_ctl_timeout: 60`,
    }) ?? 60;
  const usePgRewind = checker.bool(at('use_pg_rewind'), pg.use_pg_rewind);
  const useUnixSocket = checker.bool(at('use_unix_socket'), pg.use_unix_socket) ?? false;
  const useUnixSocketRepl = checker.bool(at('use_unix_socket_repl'), pg.use_unix_socket_repl) ?? false;
  checker.bool(at('remove_data_directory_on_rewind_failure'), pg.remove_data_directory_on_rewind_failure);
  checker.bool(at('remove_data_directory_on_diverged_timelines'), pg.remove_data_directory_on_diverged_timelines);
  const database = checker.string(at('database'), pg.database) ?? 'postgres';
  const createReplicaMethods = checker.stringList(at('create_replica_methods'), pg.create_replica_methods, { nonEmpty: true }) ?? ['basebackup'];
  for (const method of createReplicaMethods) {
    // Own keys only: `pg['__proto__']` would find Object.prototype, an object, and count as a section.
    const section = Object.hasOwn(pg, method) ? pg[method] : undefined;
    if (method !== 'basebackup' && !(section && typeof section === 'object')) {
      ctx.warnings.push(`postgresql.create_replica_methods names ${method} but there is no postgresql.${method} section with its command; it will be skipped`);
    }
  }
  if (pg.use_slots !== undefined) ctx.warnings.push('postgresql.use_slots is ignored in the local config; slots are enabled or disabled for the whole cluster in bootstrap.dcs');
  const callbacks: Record<string, string> = {};
  for (const [key, item] of Object.entries(checker.record(at('callbacks'), pg.callbacks) ?? {})) {
    if (!CALLBACKS.includes(key)) {
      checker.issue(joinPath(at('callbacks'), key), item, `is not a callback; use one of ${CALLBACKS.join(', ')}`);
      continue;
    }
    const text = checker.string(joinPath(at('callbacks'), key), item);
    if (text !== undefined) callbacks[key] = text;
  }
  checker.string(at('custom_conf'), pg.custom_conf);
  checker.string(at('pre_promote'), pg.pre_promote);
  checker.string(at('before_stop'), pg.before_stop);
  checkLocalSettings(ctx, at('recovery_conf'), pg.recovery_conf, { cmdline: false });

  if (ctx.mode === 'full') {
    if (dataDir) checkDataDir(checker, at('data_dir'), dataDir);
    checkBinaries(checker, at('bin_dir'), binDir, binName);
  }

  if (!listen || !connectAddress || !dataDir || !superuser || !replication) return undefined;
  return {
    listen,
    connectAddress,
    ...(proxyAddress && { proxyAddress }),
    dataDir,
    configDir: configDir || dataDir,
    ...(binDir && { binDir }),
    binName,
    ...(pgpass !== undefined && { pgpass }),
    authentication: { superuser, replication, ...(rewind && { rewind }) },
    parameters,
    ...(pgHba && { pgHba }),
    ...(pgIdent && { pgIdent }),
    pgCtlTimeout,
    ...(usePgRewind !== undefined && { usePgRewind }),
    useUnixSocket,
    useUnixSocketRepl,
    database,
    createReplicaMethods,
    callbacks,
    raw: pg,
  };
}
