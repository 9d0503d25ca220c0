/**
 * The settings every node of the demo cluster shares. In a real deployment these come
 * from patroni.yml: `bootstrap.dcs` is what the first node writes into `/config`, the
 * rest is each node's local `postgresql` section.
 */
import type { JsonObject } from '@pgwarden/core';

export const SCOPE = 'demo';

/**
 * `bootstrap.dcs`: Patroni's minimum timings so the failover is quick (ttl 20 s is also
 * the longest a lost host keeps the lock), pg_rewind so the old primary can rejoin, and
 * small, fast, non-durable Postgres settings (fsync=off is for demos only).
 */
export const BOOTSTRAP_DCS: JsonObject = {
  ttl: 20,
  loop_wait: 1,
  retry_timeout: 3,
  maximum_lag_on_failover: 1048576,
  postgresql: {
    use_pg_rewind: true,
    use_slots: true,
    parameters: { wal_level: 'replica', hot_standby: 'on', wal_log_hints: 'on', max_wal_senders: 10, max_replication_slots: 10 },
  },
};

/** Local Postgres parameters (not shared through the DCS). */
export const LOCAL_PARAMETERS = {
  fsync: 'off',
  shared_buffers: '16MB',
  max_connections: 30,
  wal_keep_size: '64MB',
} as const;

/** Credentials of the roles the controller creates after initdb (demo values only). */
export const SUPERUSER = { username: 'postgres', password: 'demo-superuser-pw' };
export const REPLICATION = { username: 'replicator', password: 'demo-replication-pw' };
