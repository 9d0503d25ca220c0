/**
 * `pgwarden --generate-config [--dsn DSN]`, as Patroni's RunningClusterConfigGenerator:
 * connect to a running Postgres (the DSN, else the libpq variables PGHOST, PGPORT, PGUSER,
 * PGPASSWORD…) as a superuser and fill the template in from it:
 * - the parameters set in a config file, on the command line or by environment (and the
 *   always-required ones): most go to `bootstrap.dcs.postgresql.parameters`; commands
 *   (archive_command, restore_command, …) and the hba/ident/config file paths stay local
 *   (`postgresql.parameters`), as Patroni keeps them out of the DCS;
 * - `data_dir` from data_directory, `scope` from cluster_name, `listen` from
 *   listen_addresses and port, the port of `connect_address`;
 * - `pg_hba`/`pg_ident` from the files when they are the default ones in the data dir;
 * - `bin_dir` from the running postmaster's executable (postmaster.pid → /proc/PID/exe);
 * - the superuser's connection settings from the DSN or the libpq variables.
 * Patroni asks for a password on the terminal when none is given; pgwarden connects
 * without one (trust/peer) and writes `#FIXME` for it.
 */
import { readFile, readlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { parseConninfo } from '@pgwarden/core';
import { isRecord, type RawConfig } from '../config/records.js';
import { buildTemplateConfig, NO_VALUE } from './sample-config.js';

export class GenerateConfigError extends Error {}

/** libpq connection parameters Patroni copies into `authentication.superuser`, with their variables. */
const AUTH_PARAMETERS: Readonly<Record<string, string>> = {
  user: 'PGUSER',
  password: 'PGPASSWORD',
  sslmode: 'PGSSLMODE',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslpassword: '',
  sslrootcert: 'PGSSLROOTCERT',
  sslcrl: 'PGSSLCRL',
  sslcrldir: 'PGSSLCRLDIR',
  gssencmode: 'PGGSSENCMODE',
  channel_binding: 'PGCHANNELBINDING',
};

/** Parameters Patroni puts on the postmaster's command line: always read, whatever their source. */
const CMDLINE_PARAMETERS = [
  'listen_addresses', 'port', 'cluster_name', 'wal_level', 'hot_standby', 'max_connections', 'max_wal_senders',
  'wal_keep_segments', 'wal_keep_size', 'max_prepared_transactions', 'max_locks_per_transaction',
  'track_commit_timestamp', 'max_replication_slots', 'max_worker_processes', 'wal_log_hints',
];
const REQUIRED_PARAMETERS = ['hba_file', 'ident_file', 'config_file', 'data_directory', ...CMDLINE_PARAMETERS];

/** Kept in the local config: commands for security, file paths so they are never lost. */
const LOCAL_PARAMETERS = new Set([
  'archive_command', 'restore_command', 'archive_cleanup_command', 'recovery_end_command', 'ssl_passphrase_command',
  'hba_file', 'ident_file', 'config_file',
]);

const SETTINGS_QUERY = `SELECT name, pg_catalog.current_setting(name) AS value FROM pg_catalog.pg_settings
 WHERE context <> 'internal'
   AND source IN ('configuration file', 'command line', 'environment variable')
   AND category <> 'Write-Ahead Log / Recovery Target'
   AND setting <> '(disabled)'
    OR name = ANY($1)`;

const CONNECT_TIMEOUT_MS = 5000;
const STATEMENT_TIMEOUT_MS = 5000;

/** A DSN in either libpq form: `key=value …` or `postgres://…`. */
export function parseDsn(dsn: string): Record<string, string> {
  if (/^postgres(ql)?:\/\//.test(dsn)) {
    let url: URL;
    try {
      url = new URL(dsn);
    } catch {
      throw new GenerateConfigError('Failed to parse DSN string');
    }
    const out: Record<string, string> = {};
    if (url.hostname) out.host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.port) out.port = url.port;
    if (url.username) out.user = decodeURIComponent(url.username);
    if (url.password) out.password = decodeURIComponent(url.password);
    if (url.pathname.length > 1) out.dbname = decodeURIComponent(url.pathname.slice(1));
    for (const [k, v] of url.searchParams) out[k] = v;
    return out;
  }
  const parsed = parseConninfo(dsn);
  if (!Object.keys(parsed).length) throw new GenerateConfigError('Failed to parse DSN string');
  return parsed;
}

type Env = Readonly<Record<string, string | undefined>>;

function clientConfig(dsn: Record<string, string>, env: Env): pg.ClientConfig {
  const pick = (key: string, variable: string): string | undefined => dsn[key] ?? (variable ? env[variable] : undefined);
  const host = pick('host', 'PGHOST') ?? '/var/run/postgresql';
  const port = Number(pick('port', 'PGPORT') ?? 5432);
  const sslmode = pick('sslmode', 'PGSSLMODE');
  const password = pick('password', 'PGPASSWORD');
  return {
    host,
    port,
    user: pick('user', 'PGUSER') ?? userInfo().username,
    ...(password !== undefined && { password }),
    database: pick('dbname', 'PGDATABASE') ?? 'postgres',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'pgwarden --generate-config',
    ...(sslmode && sslmode !== 'disable' && sslmode !== 'prefer' && sslmode !== 'allow' && { ssl: { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } }),
  };
}

/** Lines of a config file without surrounding blanks. */
async function strippedLines(path: string, what: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').map((l) => l.trim());
  } catch (error) {
    throw new GenerateConfigError(`Failed to read ${what}: ${(error as Error).message}`);
  }
}

/** The postmaster's program directory: its pid from postmaster.pid, its executable from /proc. */
async function binDirOfRunning(dataDir: string): Promise<string> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  } catch (error) {
    throw new GenerateConfigError(`Error while reading postmaster.pid file: ${(error as Error).message}`);
  }
  if (!Number.isInteger(pid) || pid <= 0) throw new GenerateConfigError('Failed to obtain postmaster pid from postmaster.pid file');
  try {
    return dirname(await readlink(`/proc/${pid}/exe`));
  } catch {
    throw new GenerateConfigError("Obtained postmaster pid doesn't exist.");
  }
}

export async function buildRunningConfig(dsnText: string | undefined, env: Env): Promise<RawConfig> {
  const dsn = dsnText === undefined ? {} : parseDsn(dsnText);
  const config = buildTemplateConfig(env) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const pgSection = config.postgresql as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  // The superuser as we connect: DSN, then libpq variables, then the OS user (a password may also come from PATRONI_SUPERUSER_PASSWORD).
  const su: Record<string, string> = {};
  for (const [param, variable] of Object.entries(AUTH_PARAMETERS)) {
    const value = dsn[param] ?? (variable ? env[variable] : undefined);
    if (value) su[param] = value;
  }
  const fromPatroni = isRecord(pgSection.authentication?.superuser) ? pgSection.authentication.superuser : {};
  const username = su.user ?? userInfo().username;
  delete su.user;
  const password = su.password ?? (typeof fromPatroni.password === 'string' && fromPatroni.password !== NO_VALUE ? fromPatroni.password : undefined);
  const connectAs = { ...dsn, user: username, ...(password !== undefined && { password }) };
  pgSection.authentication = {
    superuser: { ...su, username, password: password ?? NO_VALUE },
    replication: { username: NO_VALUE, password: NO_VALUE },
  };

  const client = new pg.Client(clientConfig(connectAs, env));
  client.on('error', () => undefined);
  let rows: { name: string; value: string }[];
  let major: number;
  try {
    await client.connect();
    const who = await client.query<{ su: string; v: string }>(`SELECT current_setting('is_superuser') AS su, current_setting('server_version_num') AS v`);
    if (who.rows[0]?.su !== 'on') throw new GenerateConfigError('The provided user does not have superuser privilege');
    major = Number(who.rows[0]?.v ?? 0);
    rows = (await client.query<{ name: string; value: string }>(SETTINGS_QUERY, [REQUIRED_PARAMETERS])).rows;
  } catch (error) {
    if (error instanceof GenerateConfigError) throw error;
    throw new GenerateConfigError(`Failed to establish PostgreSQL connection: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }

  const local: Record<string, string> = {};
  const dynamic = config.bootstrap.dcs.postgresql.parameters as Record<string, unknown>;
  const listen: { listen_addresses?: string; port?: string } = {};
  for (const { name, value } of rows) {
    if (name === 'data_directory') pgSection.data_dir = value;
    else if (name === 'cluster_name') {
      if (value) config.scope = value;
    } else if (LOCAL_PARAMETERS.has(name)) local[name] = value;
    else if (name === 'listen_addresses' || name === 'port') listen[name] = value;
    else dynamic[name] = value;
  }
  pgSection.parameters = { ...(isRecord(pgSection.parameters) ? pgSection.parameters : {}), ...local };
  const connectHost = String(pgSection.connect_address).split(':')[0];
  pgSection.connect_address = `${connectHost}:${dsn.port ?? env.PGPORT ?? listen.port}`;
  pgSection.listen = `${listen.listen_addresses}:${listen.port}`;

  // pg_hba/pg_ident only when they are the data directory's own files (others may not be ours to write).
  const dataDir = String(pgSection.data_dir);
  const hbaTypes = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc', ...(major >= 160000 ? ['include', 'include_if_exists', 'include_dir'] : [])];
  if (local.hba_file === join(dataDir, 'pg_hba.conf')) {
    pgSection.pg_hba = (await strippedLines(local.hba_file, 'pg_hba.conf')).filter((l) => l && hbaTypes.includes(l.split(/\s+/)[0]!));
  }
  if (local.ident_file === join(dataDir, 'pg_ident.conf')) {
    const ident = (await strippedLines(local.ident_file, 'pg_ident.conf')).filter((l) => l && !l.startsWith('#'));
    if (ident.length) pgSection.pg_ident = ident;
  }
  pgSection.bin_dir = await binDirOfRunning(dataDir);
  return config;
}
