/**
 * The DCS an e2e cluster runs on, started from the testkit: real etcd, real ZooKeeper
 * 3.8, real Redis 7, or the Consul protocol double. Each gives the patroni.yml section
 * that selects its adapter, so the same scenario runs unchanged on every backend.
 */
import { startConsulDouble, startEtcd, startZooKeeper, type ConsulDouble, type EtcdCluster, type ZooKeeperServer } from '@pgwarden/testkit';
import { startRedis, type RedisServer } from '@pgwarden/testkit';

export type DcsKind = 'etcd' | 'zookeeper' | 'consul' | 'redis';

export type E2eDcs =
  | { readonly kind: 'etcd'; readonly server: EtcdCluster; readonly yaml: string; close(): Promise<void> }
  | { readonly kind: 'zookeeper'; readonly server: ZooKeeperServer; readonly yaml: string; close(): Promise<void> }
  | { readonly kind: 'consul'; readonly server: ConsulDouble; readonly yaml: string; close(): Promise<void> }
  | { readonly kind: 'redis'; readonly server: RedisServer; readonly yaml: string; close(): Promise<void> };

export async function startDcs(kind: DcsKind): Promise<E2eDcs> {
  switch (kind) {
    case 'etcd': {
      const server = await startEtcd();
      return { kind, server, yaml: `etcd3:\n  hosts: [${server.hosts.join(', ')}]\n`, close: () => server.close() };
    }
    case 'zookeeper': {
      const server = await startZooKeeper();
      return { kind, server, yaml: `zookeeper:\n  hosts: [${server.connectString}]\n`, close: () => server.close() };
    }
    case 'consul': {
      // Consul's default minimum session TTL; ttl 20 asks for ttl/2 = 10 s, which it allows.
      const server = await startConsulDouble({ sessionTtlMin: '10s' });
      return { kind, server, yaml: `consul:\n  host: 127.0.0.1:${server.port}\n`, close: () => server.close() };
    }
    case 'redis': {
      const server = await startRedis();
      return { kind, server, yaml: `redis:\n  hosts: ${server.address}\n`, close: () => server.close() };
    }
  }
}
