/**
 * The environment variables of Patroni 4.1's reference (docs/ENVIRONMENT.rst). Each
 * sets one patroni.yml key (`sets`) and has that key's status; PGWARDEN_<NAME> works
 * wherever PATRONI_<NAME> does and wins when both are set.
 */
import { POSTGRES_USERS, USER_CONNECTION_KEYS } from './build.js';
import type { PatroniKey } from './types.js';

/** `PATRONI_LOG_MODE` → `log.mode`: the section, then the rest of the name in lower case. */
function plain(group: string, section: string, ...suffixes: string[]): PatroniKey[] {
  return suffixes.map((suffix) => ({
    path: `PATRONI_${section.toUpperCase()}_${suffix}`,
    section: 'environment',
    group,
    status: 'used',
    sets: `${section}.${suffix.toLowerCase()}`,
  }));
}

function named(group: string, path: string, sets: string): PatroniKey {
  return { path, section: 'environment', group, status: 'used', sets };
}

const DCS_ADDRESSING = ['HOST', 'URL', 'PORT'];

/** Status and reason come from the key each variable sets (see table.ts). */
export const ENV_KEYS_RAW: readonly PatroniKey[] = [
  named('Global', 'PATRONI_CONFIGURATION', '(the whole configuration, as YAML)'),
  named('Global', 'PATRONI_NAME', 'name'),
  named('Global', 'PATRONI_NAMESPACE', 'namespace'),
  named('Global', 'PATRONI_SCOPE', 'scope'),
  ...plain(
    'Log', 'log', 'TYPE', 'LEVEL', 'TRACEBACK_LEVEL', 'FORMAT', 'DATEFORMAT', 'STATIC_FIELDS', 'MAX_QUEUE_SIZE', 'DIR', 'MODE',
    'FILE_NUM', 'FILE_SIZE', 'LOGGERS', 'DEDUPLICATE_HEARTBEAT_LOGS',
  ),
  ...plain('Citus', 'citus', 'GROUP', 'DATABASE'),
  ...plain(
    'Consul', 'consul', ...DCS_ADDRESSING, 'SCHEME', 'TOKEN', 'VERIFY', 'CACERT', 'CERT', 'KEY', 'DC', 'CONSISTENCY', 'CHECKS',
    'REGISTER_SERVICE', 'SERVICE_TAGS', 'SERVICE_CHECK_INTERVAL', 'SERVICE_CHECK_TLS_SERVER_NAME',
  ),
  ...plain(
    'Etcd', 'etcd', 'PROXY', 'URL', 'HOSTS', 'USE_PROXIES', 'PROTOCOL', 'HOST', 'SRV', 'SRV_SUFFIX', 'USERNAME', 'PASSWORD', 'CACERT',
    'CERT', 'KEY',
  ),
  // Patroni's reference says the etcd3 variables are the etcd ones with ETCD3 in the name.
  ...plain(
    'Etcdv3', 'etcd3', 'PROXY', 'URL', 'HOSTS', 'USE_PROXIES', 'PROTOCOL', 'HOST', 'SRV', 'SRV_SUFFIX', 'USERNAME', 'PASSWORD', 'CACERT',
    'CERT', 'KEY',
  ),
  ...plain('ZooKeeper', 'zookeeper', 'HOSTS', 'USE_SSL', 'CACERT', 'CERT', 'KEY', 'KEY_PASSWORD', 'VERIFY', 'SET_ACLS', 'AUTH_DATA'),
  ...plain('Exhibitor', 'exhibitor', 'HOSTS', 'PORT'),
  ...plain(
    'Kubernetes', 'kubernetes', 'BYPASS_API_SERVICE', 'NAMESPACE', 'LABELS', 'SCOPE_LABEL', 'BOOTSTRAP_LABELS', 'ROLE_LABEL',
    'LEADER_LABEL_VALUE', 'FOLLOWER_LABEL_VALUE', 'STANDBY_LEADER_LABEL_VALUE', 'TMP_ROLE_LABEL', 'USE_ENDPOINTS', 'POD_IP', 'PORTS',
    'CACERT',
  ),
  // Listed without the KUBERNETES_ part in Patroni's reference; read as the Kubernetes setting.
  named('Kubernetes', 'PATRONI_RETRIABLE_HTTP_CODES', 'kubernetes.retriable_http_codes'),
  ...plain('Raft', 'raft', 'SELF_ADDR', 'BIND_ADDR', 'PARTNER_ADDRS', 'DATA_DIR', 'PASSWORD'),
  ...plain('PostgreSQL', 'postgresql', 'LISTEN', 'CONNECT_ADDRESS', 'PROXY_ADDRESS', 'DATA_DIR', 'CONFIG_DIR', 'BIN_DIR'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_PG_CTL', 'postgresql.bin_name.pg_ctl'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_INITDB', 'postgresql.bin_name.initdb'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_PG_CONTROLDATA', 'postgresql.bin_name.pg_controldata'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_PG_BASEBACKUP', 'postgresql.bin_name.pg_basebackup'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_POSTGRES', 'postgresql.bin_name.postgres'),
  // The reference spells it IS_READY; Patroni itself reads PG_ISREADY. Both work here.
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_IS_READY', 'postgresql.bin_name.pg_isready'),
  named('PostgreSQL', 'PATRONI_POSTGRESQL_BIN_PG_REWIND', 'postgresql.bin_name.pg_rewind'),
  ...plain('PostgreSQL', 'postgresql', 'PGPASS'),
  ...POSTGRES_USERS.flatMap((user) =>
    USER_CONNECTION_KEYS.map((key) => named('PostgreSQL', `PATRONI_${user.toUpperCase()}_${key.toUpperCase()}`, `postgresql.authentication.${user}.${key}`)),
  ),
  ...plain(
    'REST API', 'restapi', 'CONNECT_ADDRESS', 'LISTEN', 'CERTFILE', 'KEYFILE', 'KEYFILE_PASSWORD', 'CAFILE', 'CIPHERS', 'VERIFY_CLIENT',
    'ALLOWLIST', 'ALLOWLIST_INCLUDE_MEMBERS', 'HTTP_EXTRA_HEADERS', 'HTTPS_EXTRA_HEADERS', 'REQUEST_QUEUE_SIZE', 'SERVER_TOKENS',
  ),
  named('REST API', 'PATRONI_RESTAPI_USERNAME', 'restapi.authentication.username'),
  named('REST API', 'PATRONI_RESTAPI_PASSWORD', 'restapi.authentication.password'),
  named('CTL', 'PATRONICTL_CONFIG_FILE', '(the config file pgwardenctl reads)'),
  named('CTL', 'PATRONI_CTL_USERNAME', 'ctl.authentication.username'),
  named('CTL', 'PATRONI_CTL_PASSWORD', 'ctl.authentication.password'),
  ...plain('CTL', 'ctl', 'INSECURE', 'CACERT', 'CERTFILE', 'KEYFILE', 'KEYFILE_PASSWORD'),
];
