/**
 * patroni.yml for one chaos node, built as an object and serialised: the node listens
 * on its namespace's address, reaches etcd through its own latency proxies and
 * advertises its replication proxy as its Postgres address, so replicas' streaming,
 * basebackup and rewind traffic can be slowed or cut.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { postgresBinDir } from '@pgwarden/testkit';
import { REPLICATION, SUPERUSER } from '../test/e2e/cluster.js';

export type SyncMode = 'async' | 'on' | 'strict' | 'quorum';
export const SYNC_MODES: readonly SyncMode[] = ['async', 'on', 'strict', 'quorum'];
export const CHAOS_SCOPE = 'chaos';
export const PG_PORT = 5432;
export const API_PORT = 8008;
/** bytes of WAL a replica may lag and still be promoted (bootstrap.dcs.maximum_lag_on_failover). */
export const MAXIMUM_LAG_ON_FAILOVER = 1_048_576;

export interface ChaosNodeSpec {
  readonly name: string;
  readonly dir: string;
  readonly address: string;
  readonly subnet: string;
  /** `host:port` of this node's proxies to each etcd member. */
  readonly etcdHosts: readonly string[];
  /** `host:port` that replicas use to reach this node's Postgres. */
  readonly replicationAddress: string;
}

function syncSettings(mode: SyncMode): Record<string, unknown> {
  switch (mode) {
    case 'async':
      return { synchronous_mode: false };
    case 'on':
      return { synchronous_mode: true };
    case 'strict':
      return { synchronous_mode: true, synchronous_mode_strict: true };
    case 'quorum':
      return { synchronous_mode: 'quorum', synchronous_node_count: 1 };
  }
}

export function chaosNodeConfig(node: ChaosNodeSpec, mode: SyncMode): string {
  const network = `${node.subnet}.0/24`;
  const hba = ['local all all trust', `host all all ${network} md5`, `host replication ${REPLICATION.username} ${network} md5`];
  const doc = {
    scope: CHAOS_SCOPE,
    namespace: '/service',
    name: node.name,
    log: { level: 'INFO' },
    restapi: { listen: `${node.address}:${API_PORT}`, connect_address: `${node.address}:${API_PORT}` },
    etcd3: { hosts: [...node.etcdHosts] },
    bootstrap: {
      dcs: {
        ttl: 20,
        loop_wait: 1,
        retry_timeout: 5,
        maximum_lag_on_failover: MAXIMUM_LAG_ON_FAILOVER,
        ...syncSettings(mode),
        postgresql: { use_pg_rewind: true, use_slots: true, parameters: { wal_log_hints: 'on', max_connections: 50 } },
      },
      initdb: [{ encoding: 'UTF8' }],
      pg_hba: hba,
    },
    postgresql: {
      listen: `${node.address}:${PG_PORT}`,
      connect_address: node.replicationAddress,
      data_dir: join(node.dir, 'data'),
      bin_dir: postgresBinDir(),
      pgpass: join(node.dir, 'pgpass'),
      authentication: { superuser: { ...SUPERUSER }, replication: { ...REPLICATION } },
      // mmap: the dynamic shared memory of a SIGKILLed postmaster goes with its data dir, not left in /dev/shm.
      parameters: { unix_socket_directories: node.dir, fsync: 'off', synchronous_commit: 'on', dynamic_shared_memory_type: 'mmap' },
      pg_hba: hba,
    },
    pgwarden: { fence_dir: join(node.dir, 'fence') },
    tags: { nofailover: false },
  };
  return stringify(doc);
}
