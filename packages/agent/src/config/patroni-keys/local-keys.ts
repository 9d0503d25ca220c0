/** The keys of Patroni 4.1's patroni.yml reference (docs/yaml_configuration.rst). */
import { keysOf, POSTGRES_USERS, USER_CONNECTION_KEYS } from './build.js';
import type { PatroniKey } from './types.js';

const { used, warned, refused } = keysOf('local');

const NO_LOGGING_QUEUE = 'pgwarden writes log lines directly, without Python’s logging queue; remove it';
const ETCD_V2 = 'the etcd v2 API is not supported; rename the section to etcd3 (same keys) and run etcd 3.4 or newer';
const ETCD_DISCOVERY = 'pgwarden does not discover etcd endpoints (DNS SRV, proxies); list every endpoint in etcd3.hosts';
const ZK_TLS = 'ZooKeeper TLS is not supported (use_ssl: true is refused), so TLS files and verify have no effect; reach ZooKeeper over a trusted network or a local TLS tunnel';
const EXHIBITOR = 'Exhibitor is not supported; list the ZooKeeper servers in a zookeeper section instead';
const KUBERNETES = 'the Kubernetes DCS is not supported; keep the cluster state in etcd3, zookeeper or consul';
const RAFT = 'Patroni’s built-in Raft is not supported; keep the cluster state in etcd3, zookeeper or consul';
const CITUS =
  'Citus clusters are not supported: pgwarden neither registers workers on the coordinator nor uses the per-group key layout, so a worker failover would leave the coordinator pointing at the old primary; run Citus clusters with Patroni, or remove the citus section';
const SSL_NEGOTIATION =
  'pgwarden connects with the standard SSL negotiation (PostgreSQL 17’s direct SSL handshake is not used), so the connection works as with sslnegotiation: postgres; remove it';

const userKeys = POSTGRES_USERS.flatMap((user) =>
  USER_CONNECTION_KEYS.filter((key) => key !== 'sslnegotiation').map((key) => `postgresql.authentication.${user}.${key}`),
);

export const LOCAL_KEYS: readonly PatroniKey[] = [
  ...used('Global', 'name', 'namespace', 'scope'),

  ...used('Log', 'log.type', 'log.level', 'log.format', 'log.dateformat', 'log.static_fields', 'log.dir', 'log.file_num', 'log.file_size'),
  ...warned('Log', 'tracebacks are not part of pgwarden’s log lines (errors are logged with their cause); remove it', 'log.traceback_level'),
  ...warned('Log', NO_LOGGING_QUEUE, 'log.max_queue_size'),
  ...warned('Log', 'names Python modules; pgwarden has one log level for everything (log.level)', 'log.loggers'),
  ...warned('Log', 'log files are created with the process umask; set the umask of the service (systemd UMask=) instead', 'log.mode'),
  ...warned('Log', 'pgwarden logs every HA loop; filter repeated lines in your log pipeline instead', 'log.deduplicate_heartbeat_logs'),

  ...used('Bootstrap', 'bootstrap.dcs', 'bootstrap.method', 'bootstrap.initdb', 'bootstrap.post_bootstrap', 'bootstrap.post_init'),

  ...refused('Citus', CITUS, 'citus.group', 'citus.database'),

  ...used(
    'Consul',
    'consul.host', 'consul.url', 'consul.port', 'consul.scheme', 'consul.token', 'consul.verify', 'consul.cacert', 'consul.cert',
    'consul.key', 'consul.dc', 'consul.consistency', 'consul.checks', 'consul.register_service', 'consul.service_tags',
    'consul.service_check_interval', 'consul.service_check_tls_server_name',
  ),

  ...refused(
    'Etcd',
    ETCD_V2,
    'etcd.host', 'etcd.hosts', 'etcd.use_proxies', 'etcd.url', 'etcd.proxy', 'etcd.srv', 'etcd.srv_suffix', 'etcd.protocol',
    'etcd.username', 'etcd.password', 'etcd.cacert', 'etcd.cert', 'etcd.key',
  ),
  ...used('Etcdv3', 'etcd3.host', 'etcd3.hosts', 'etcd3.url', 'etcd3.protocol', 'etcd3.username', 'etcd3.password', 'etcd3.cacert', 'etcd3.cert', 'etcd3.key'),
  ...warned('Etcdv3', 'pgwarden always connects to exactly the listed etcd3.hosts (as use_proxies: true does); remove it', 'etcd3.use_proxies'),
  ...refused('Etcdv3', ETCD_DISCOVERY, 'etcd3.proxy', 'etcd3.srv', 'etcd3.srv_suffix'),

  ...used('ZooKeeper', 'zookeeper.hosts', 'zookeeper.use_ssl', 'zookeeper.set_acls', 'zookeeper.auth_data'),
  ...warned('ZooKeeper', ZK_TLS, 'zookeeper.cacert', 'zookeeper.cert', 'zookeeper.key', 'zookeeper.key_password', 'zookeeper.verify'),

  ...refused('Exhibitor', EXHIBITOR, 'exhibitor.hosts', 'exhibitor.poll_interval', 'exhibitor.port'),

  ...refused(
    'Kubernetes',
    KUBERNETES,
    'kubernetes.bypass_api_service', 'kubernetes.namespace', 'kubernetes.labels', 'kubernetes.scope_label', 'kubernetes.bootstrap_labels',
    'kubernetes.role_label', 'kubernetes.leader_label_value', 'kubernetes.follower_label_value', 'kubernetes.standby_leader_label_value',
    'kubernetes.tmp_role_label', 'kubernetes.use_endpoints', 'kubernetes.pod_ip', 'kubernetes.ports', 'kubernetes.cacert',
    'kubernetes.retriable_http_codes',
  ),

  ...refused('Raft', RAFT, 'raft.self_addr', 'raft.bind_addr', 'raft.partner_addrs', 'raft.data_dir', 'raft.password'),

  ...used('PostgreSQL', ...userKeys),
  ...warned(
    'PostgreSQL',
    SSL_NEGOTIATION,
    ...POSTGRES_USERS.map((user) => `postgresql.authentication.${user}.sslnegotiation`),
  ),
  ...used(
    'PostgreSQL',
    'postgresql.callbacks.on_reload', 'postgresql.callbacks.on_restart', 'postgresql.callbacks.on_role_change',
    'postgresql.callbacks.on_start', 'postgresql.callbacks.on_stop',
    'postgresql.connect_address', 'postgresql.proxy_address', 'postgresql.create_replica_methods', 'postgresql.data_dir',
    'postgresql.config_dir', 'postgresql.bin_dir',
    'postgresql.bin_name.pg_ctl', 'postgresql.bin_name.initdb', 'postgresql.bin_name.pg_controldata', 'postgresql.bin_name.pg_basebackup',
    'postgresql.bin_name.postgres', 'postgresql.bin_name.pg_isready', 'postgresql.bin_name.pg_rewind',
    'postgresql.listen', 'postgresql.pgpass', 'postgresql.recovery_conf', 'postgresql.custom_conf', 'postgresql.parameters',
    'postgresql.pg_hba', 'postgresql.pg_ident', 'postgresql.pg_ctl_timeout', 'postgresql.use_pg_rewind',
    'postgresql.remove_data_directory_on_rewind_failure', 'postgresql.remove_data_directory_on_diverged_timelines',
    'postgresql.pre_promote', 'postgresql.before_stop',
  ),
  // The section of a custom replica method (`replica_method` in Patroni's reference) is named after the method.
  ...used('PostgreSQL', 'postgresql.*.command'),
  ...warned(
    'PostgreSQL',
    'pgwarden always connects to the local server over its Unix socket (as use_unix_socket: true does); remove it',
    'postgresql.use_unix_socket',
  ),
  ...warned(
    'PostgreSQL',
    'pgwarden makes replication connections over TCP to connect_address; remove it',
    'postgresql.use_unix_socket_repl',
  ),

  ...used(
    'REST API',
    'restapi.connect_address', 'restapi.listen', 'restapi.authentication.username', 'restapi.authentication.password',
    'restapi.certfile', 'restapi.keyfile', 'restapi.keyfile_password', 'restapi.cafile', 'restapi.ciphers', 'restapi.verify_client',
    'restapi.allowlist', 'restapi.allowlist_include_members', 'restapi.http_extra_headers', 'restapi.https_extra_headers',
    'restapi.request_queue_size',
  ),
  ...warned(
    'REST API',
    'pgwarden sends no Server header (the most private choice); to send one, add it to restapi.http_extra_headers',
    'restapi.server_tokens',
  ),

  ...used(
    'CTL',
    'ctl.authentication.username', 'ctl.authentication.password', 'ctl.insecure', 'ctl.cacert', 'ctl.certfile', 'ctl.keyfile',
    'ctl.keyfile_password',
  ),

  ...used('Watchdog', 'watchdog.mode', 'watchdog.device', 'watchdog.safety_margin'),

  ...used(
    'Tags',
    'tags.clonefrom', 'tags.noloadbalance', 'tags.replicatefrom', 'tags.nosync', 'tags.sync_priority', 'tags.nofailover',
    'tags.failover_priority', 'tags.nostream',
  ),
];
