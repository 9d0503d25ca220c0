/**
 * Configuration from `PATRONI_*` environment variables, read exactly as Patroni 3.3.1
 * reads them (spec/api.md §3.3), and the same names under `PGWARDEN_*`. When both
 * `PATRONI_X` and `PGWARDEN_X` are set, `PGWARDEN_X` wins. Empty values are ignored.
 *
 * One deliberate difference: `PATRONI_ETCD3_USERNAME/PASSWORD` are read whenever set;
 * Patroni reads them only when some other `PATRONI_ETCD3_*` variable is set, and
 * otherwise turns the password into a bootstrap user named "ETCD3".
 */
import { envBool, envDict, envInt, envList } from './env-values.js';
import type { RawConfig } from './records.js';

export const ENV_PREFIXES = ['PATRONI_', 'PGWARDEN_'] as const;

/** Postgres connection settings a user entry may carry (Patroni's _AUTH_ALLOWED_PARAMETERS). */
export const AUTH_PARAMETERS = [
  'username',
  'password',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'gssencmode',
  'channel_binding',
] as const;

const SECTION_PARAMS: Readonly<Record<string, readonly string[]>> = {
  restapi: [
    'listen',
    'connect_address',
    'certfile',
    'keyfile',
    'keyfile_password',
    'cafile',
    'ciphers',
    'verify_client',
    'http_extra_headers',
    'https_extra_headers',
    'allowlist',
    'allowlist_include_members',
    'request_queue_size',
    'server_tokens',
  ],
  ctl: ['insecure', 'cacert', 'certfile', 'keyfile', 'keyfile_password'],
  postgresql: ['listen', 'connect_address', 'proxy_address', 'config_dir', 'data_dir', 'pgpass', 'bin_dir'],
  log: ['type', 'level', 'traceback_level', 'format', 'dateformat', 'static_fields', 'max_queue_size', 'dir', 'file_size', 'file_num', 'loggers', 'mode', 'deduplicate_heartbeat_logs'],
  raft: ['data_dir', 'self_addr', 'partner_addrs', 'password', 'bind_addr'],
};

const BINARIES = ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready', 'pg_rewind'];

/** How typed section values are read; everything else stays a string. */
const SECTION_PARSERS: Readonly<Record<string, (value: string) => unknown>> = {
  'restapi.allowlist_include_members': envBool,
  'ctl.insecure': envBool,
  'restapi.request_queue_size': envInt,
  'log.max_queue_size': envInt,
  'log.file_size': envInt,
  'log.file_num': envInt,
  'log.deduplicate_heartbeat_logs': envBool,
  'raft.partner_addrs': envList,
  'restapi.allowlist': envList,
  'restapi.http_extra_headers': envDict,
  'restapi.https_extra_headers': envDict,
  'log.static_fields': envDict,
  'log.loggers': envDict,
};

/** Suffixes of `PATRONI_<DCS>_<SUFFIX>` that Patroni takes for any DCS (or Citus) section. */
const DCS_SUFFIXES = new Set([
  'HOST', 'HOSTS', 'PORT', 'USE_PROXIES', 'PROTOCOL', 'SRV', 'SRV_SUFFIX', 'URL', 'PROXY', 'CACERT', 'CERT', 'KEY',
  'VERIFY', 'TOKEN', 'CHECKS', 'DC', 'CONSISTENCY', 'REGISTER_SERVICE', 'SERVICE_CHECK_INTERVAL',
  'SERVICE_CHECK_TLS_SERVER_NAME', 'SERVICE_TAGS', 'NAMESPACE', 'CONTEXT', 'USE_ENDPOINTS', 'SCOPE_LABEL', 'ROLE_LABEL',
  'POD_IP', 'PORTS', 'LABELS', 'BYPASS_API_SERVICE', 'RETRIABLE_HTTP_CODES', 'KEY_PASSWORD', 'USE_SSL', 'SET_ACLS',
  'GROUP', 'DATABASE', 'LEADER_LABEL_VALUE', 'FOLLOWER_LABEL_VALUE', 'STANDBY_LEADER_LABEL_VALUE', 'TMP_ROLE_LABEL',
  'AUTH_DATA', 'BOOTSTRAP_LABELS', 'SCHEME',
]);

function dcsValueParser(suffix: string): (value: string) => unknown {
  if (suffix === 'PORT') return envInt;
  if (['HOSTS', 'PORTS', 'CHECKS', 'SERVICE_TAGS', 'RETRIABLE_HTTP_CODES'].includes(suffix)) return envList;
  if (['LABELS', 'SET_ACLS', 'AUTH_DATA', 'BOOTSTRAP_LABELS'].includes(suffix)) return envDict;
  // USE_SSL is read as a string by Patroni (a bug: its own validator then refuses it); pgwarden reads a boolean.
  if (['USE_PROXIES', 'REGISTER_SERVICE', 'USE_ENDPOINTS', 'BYPASS_API_SERVICE', 'VERIFY', 'USE_SSL'].includes(suffix)) return envBool;
  return (value) => value;
}

export interface EnvironmentConfig {
  /** The config the variables describe, to be patched over the file. */
  readonly config: RawConfig;
  /** Every variable that was read (both prefixes), for scrubbing. */
  readonly consumed: readonly string[];
  /** `PATRONI_CONFIGURATION` / `PGWARDEN_CONFIGURATION`: a whole config as YAML, used when no file is given. */
  readonly configuration: string | undefined;
}

/**
 * Variables under either prefix, keyed by the part after the prefix (`NAME`,
 * `RESTAPI_LISTEN`…), PGWARDEN_ winning. Reading a key removes it from the pool, as
 * Patroni pops what it reads, so later generic scans only see what is left.
 */
class EnvPool {
  private readonly values = new Map<string, { value: string; names: string[] }>();
  readonly consumed: string[] = [];

  constructor(env: Readonly<Record<string, string | undefined>>) {
    for (const prefix of ENV_PREFIXES) {
      for (const [name, value] of Object.entries(env)) {
        if (!name.startsWith(prefix) || value === undefined) continue;
        const key = name.slice(prefix.length);
        const names = [...(this.values.get(key)?.names ?? []), name];
        this.values.set(key, { value, names }); // PGWARDEN_ is visited last, so it wins.
      }
    }
  }

  /** Takes `KEY` out of the pool; empty values count as unset. */
  pop(key: string): string | undefined {
    // Generic scans pass names as found (PATRONI_admin_PASSWORD); named lookups are upper-cased.
    const found = this.values.has(key) ? key : key.toUpperCase();
    const entry = this.values.get(found);
    if (!entry) return undefined;
    this.values.delete(found);
    this.consumed.push(...entry.names);
    return entry.value === '' ? undefined : entry.value;
  }

  has(key: string): boolean {
    return this.values.has(key) || this.values.has(key.toUpperCase());
  }

  /** Sets a key as if it came from the environment (legacy log names are renamed this way). */
  set(key: string, value: string, names: string[]): void {
    this.values.set(key.toUpperCase(), { value, names });
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}

type Section = Record<string, unknown>;

export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentConfig {
  const pool = new EnvPool(env);
  const out: Record<string, unknown> = {};
  const section = (name: string): Section => {
    const existing = out[name];
    if (existing && typeof existing === 'object') return existing as Section;
    const created: Section = {};
    out[name] = created;
    return created;
  };

  const configuration = pool.pop('CONFIGURATION');

  for (const param of ['name', 'namespace', 'scope']) {
    const value = pool.pop(param);
    if (value) out[param] = value;
  }

  // Legacy log names map onto the new ones unless the new one is set.
  for (const [current, legacy] of [['LOG_LEVEL', 'LOGLEVEL'], ['LOG_FORMAT', 'LOGFORMAT'], ['LOG_DATEFORMAT', 'LOG_DATEFMT']] as const) {
    const value = pool.pop(legacy);
    if (value && !pool.has(current)) pool.set(current, value, []);
  }

  for (const [name, params] of Object.entries(SECTION_PARAMS)) {
    for (const param of params) {
      const value = pool.pop(`${name}_${param}`);
      if (!value) continue;
      const parse = SECTION_PARSERS[`${name}.${param}`];
      section(name)[param] = parse ? parse(value) : value;
    }
  }

  // A log format without %(field)s placeholders is a list of fields (json logs).
  const logFormat = (out.log as Section | undefined)?.format;
  if (typeof logFormat === 'string' && !/%\(\w+\)/.test(logFormat)) section('log').format = envList(logFormat);

  // Patroni's reference spells pg_isready's variable POSTGRESQL_BIN_IS_READY; read that spelling too.
  const isReady = pool.pop('POSTGRESQL_BIN_IS_READY');
  if (isReady && !pool.has('POSTGRESQL_BIN_PG_ISREADY')) pool.set('POSTGRESQL_BIN_PG_ISREADY', isReady, []);
  // Listed without KUBERNETES_ in Patroni's reference: read as the Kubernetes setting (so it is refused with that section).
  const retriable = pool.pop('RETRIABLE_HTTP_CODES');
  if (retriable && !pool.has('KUBERNETES_RETRIABLE_HTTP_CODES')) pool.set('KUBERNETES_RETRIABLE_HTTP_CODES', retriable, []);

  for (const binary of BINARIES) {
    const value = pool.pop(`POSTGRESQL_BIN_${binary}`);
    if (value) ((section('postgresql').bin_name ??= {}) as Section)[binary] = value;
  }

  const auth = (prefix: string, params: readonly string[]): Section | undefined => {
    const entry: Section = {};
    for (const param of params) {
      const value = pool.pop(`${prefix}_${param}`);
      if (value) entry[param] = value;
    }
    return Object.keys(entry).length ? entry : undefined;
  };

  for (const name of ['ctl', 'restapi']) {
    const entry = auth(name, ['username', 'password']);
    if (entry) section(name).authentication = entry;
  }

  const users: Section = {};
  for (const userType of ['replication', 'superuser', 'rewind']) {
    // sslnegotiation (Patroni 4.1) is read so that validation can say it has no effect here.
    const entry = auth(userType, [...AUTH_PARAMETERS, 'sslnegotiation']);
    if (entry) users[userType] = entry;
  }
  if (Object.keys(users).length) section('postgresql').authentication = users;

  for (const dcs of ['etcd', 'etcd3']) {
    const entry = auth(dcs, ['username', 'password']);
    if (entry) Object.assign(section(dcs), entry);
  }

  // PATRONI_<DCS>_<SUFFIX>: any section name, whitelisted suffixes only.
  for (const key of pool.keys()) {
    const cut = key.indexOf('_');
    if (cut <= 0) continue;
    const name = key.slice(0, cut);
    const suffix = key.slice(cut + 1);
    if (!DCS_SUFFIXES.has(suffix)) continue;
    const raw = pool.pop(key);
    if (name === 'CITUS' && suffix !== 'GROUP' && suffix !== 'DATABASE') continue;
    if (raw === undefined) continue;
    const value = name === 'CITUS' ? (suffix === 'GROUP' ? envInt(raw) : raw) : dcsValueParser(suffix)(raw);
    section(name.toLowerCase())[suffix.toLowerCase()] = value;
  }

  // PATRONI_<username>_PASSWORD (+ _OPTIONS): users created at bootstrap (deprecated in Patroni).
  const bootstrapUsers: Section = {};
  for (const key of pool.keys()) {
    if (!key.endsWith('_PASSWORD') || key.length <= '_PASSWORD'.length) continue;
    const user = key.slice(0, -'_PASSWORD'.length);
    const password = pool.pop(key);
    if (!password) continue;
    const entry: Section = { password };
    const options = pool.pop(`${user}_OPTIONS`);
    const list = options ? envList(options) : undefined;
    if (Array.isArray(list) && list.length) entry.options = list;
    bootstrapUsers[user] = entry;
  }
  if (Object.keys(bootstrapUsers).length) section('bootstrap').users = bootstrapUsers;

  return { config: out, consumed: pool.consumed, configuration };
}
