/**
 * Running one HA node from the library: the example in README.md ("Running a node"). It
 * is type-checked with the package's tests, so it cannot drift from the API.
 */
import {
  combineLeaseGuards,
  createNode,
  DEFAULT_WATCHDOG_SETTINGS,
  Dcs,
  DynamicConfigTracker,
  Fence,
  fenceLeaseGuard,
  httpPeerClient,
  KeyLayout,
  LocalPostgresController,
  MemoryDcs,
  MemoryDcsServer,
  readDynamicConfig,
  readTags,
  systemClock,
  systemRandom,
  Watchdog,
  watchdogLeaseGuard,
  type HaNode,
  type Logger,
} from '@pgwarden/core';

export async function startNode(logger: Logger): Promise<HaNode> {
  // bootstrap.dcs: the dynamic configuration until the cluster has a /config. The tracker
  // is its one owner: the loop feeds it every /config it reads.
  const bootstrapDcs = { ttl: 30, loop_wait: 10, retry_timeout: 10, postgresql: { use_pg_rewind: true, use_slots: true } };
  const dynamicConfig = new DynamicConfigTracker(logger, readDynamicConfig(bootstrapDcs));
  const timing = dynamicConfig.current.timing;

  // Any adapter: MemoryDcs here; EtcdDcs, ZooKeeperDcs or ConsulDcs in production.
  const layout = new KeyLayout({ namespace: '/service', scope: 'batman' });
  const dcs = new Dcs({ adapter: new MemoryDcs({ server: new MemoryDcsServer(), layout, name: 'node1', ttlSeconds: timing.ttl }), timing, logger });

  const postgres = new LocalPostgresController({
    config: {
      scope: 'batman',
      name: 'node1',
      data_dir: '/var/lib/postgresql/15/node1',
      bin_dir: '/usr/lib/postgresql/15/bin',
      listen: '127.0.0.1:5432',
      connect_address: '127.0.0.1:5432',
      authentication: { superuser: { username: 'postgres', password: 'secret' }, replication: { username: 'replicator', password: 'secret' } },
    },
    logger,
    dynamicParameters: dynamicConfig.current.parameters as Record<string, string | number | boolean>,
  });

  // The lease guard stops this Postgres if the agent cannot renew its lock in time: the
  // fence (a process outside this one) and, where there is one, the watchdog device.
  const fence = new Fence({ logger });
  await fence.start({ dataDir: '/var/lib/postgresql/15/node1', marginMs: 5000 });
  const watchdog = new Watchdog({ ...DEFAULT_WATCHDOG_SETTINGS, mode: 'automatic' }, { logger });

  const node = createNode({
    node: {
      name: 'node1',
      apiUrl: 'http://127.0.0.1:8008/patroni',
      connUrl: 'postgres://127.0.0.1:5432/postgres',
      proxyUrl: null,
      tags: readTags({}),
      version: '3.3.1',
      canBootstrap: true,
      canCloneWithoutLeader: false,
      bootstrapDcsConfig: bootstrapDcs,
      removeDataDirectoryOnDivergedTimelines: false,
    },
    dcs,
    postgres,
    clock: systemClock,
    random: systemRandom,
    logger,
    peers: httpPeerClient(),
    leaseGuard: combineLeaseGuards(fenceLeaseGuard(fence, logger), watchdogLeaseGuard(watchdog)),
    dynamicConfig,
  });
  node.onConfigChange((config) => logger.info(`now running with ttl ${config.timing.ttl}`));
  node.start();
  return node;
}
