/**
 * One real node for REST API tests that need Postgres: a PostgreSQL 15 sandbox driven by
 * the agent's ObservedController, an HA loop on an in-memory DCS, and the REST API with
 * the daemon's own state source and actions (scheduled restarts included). The loop is
 * started only when a test needs cycles.
 */
import pg from 'pg';
import { freeLoopbackPort, type PostgresSandbox } from '@pgwarden/testkit';
import {
  createNode,
  DynamicConfigTracker,
  NO_LEASE_GUARD,
  NO_PEERS,
  KeyLayout,
  MemoryDcs,
  MemoryDcsServer,
  MemoryLogger,
  readDynamicConfig,
  readTags,
  systemClock,
  systemRandom,
  type DcsAdapter,
  type HaNode,
  type JsonObject,
  type LocalPostgresConfig,
  type NodeConfig,
} from '@pgwarden/core';
import { RestApiServer } from '../../src/api/index.js';
import { apiActions, scheduledRestarts } from '../../src/daemon/api-actions.js';
import { ObservedController } from '../../src/daemon/observed-controller.js';
import { RecordingDcs } from '../../src/daemon/recording-dcs.js';
import { filterTags, nodeStateSource } from '../../src/daemon/state-source.js';

export const DYNAMIC: JsonObject = { ttl: 20, loop_wait: 1, retry_timeout: 3 };
export const TAGS = { zone: 'a', nofailover: false };

export interface PgNode {
  readonly name: string;
  /** `postgres://127.0.0.1:PORT/postgres`, for a replica to clone and follow from. */
  readonly connUrl: string;
  readonly controller: ObservedController;
  readonly loop: HaNode;
  readonly dcs: RecordingDcs;
  readonly server: MemoryDcsServer;
  readonly layout: KeyLayout;
  readonly api: RestApiServer;
  readonly logger: MemoryLogger;
  /** This node's member key and the leader's name, read fresh from the DCS. */
  memberData(): Promise<Record<string, unknown> | undefined>;
  leaderName(): Promise<string | null>;
  /** A superuser query over the Unix socket. */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

/** Another DCS than the in-memory one (the ctl test reads the cluster from a real etcd). */
export type AdapterFactory = (layout: KeyLayout, name: string, ttlSeconds: number) => Promise<DcsAdapter>;

export async function startPgNode(sandbox: PostgresSandbox, name: string, options: { adapter?: AdapterFactory } = {}): Promise<PgNode> {
  const port = await freeLoopbackPort();
  const socketDir = sandbox.mkdir(`sock-${name}`, 0o755);
  const config: LocalPostgresConfig = {
    scope: 'api',
    name,
    data_dir: sandbox.dataDirPath(`data-${name}`),
    listen: `127.0.0.1:${port}`,
    connect_address: `127.0.0.1:${port}`,
    authentication: { superuser: { username: 'postgres', password: 'su-secret-1' }, replication: { username: 'replicator', password: 'rep-secret-2' } },
    parameters: { unix_socket_directories: socketDir, fsync: 'off', dynamic_shared_memory_type: 'mmap' },
    pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 md5', 'host replication replicator 127.0.0.1/32 md5'],
    pgpass: `${sandbox.root}/pgpass-${name}`,
    use_pg_rewind: true,
    use_slots: true,
    pg_ctl_timeout: 30,
    ...(sandbox.runAs ? { run_as: { uid: sandbox.runAs.uid, gid: sandbox.runAs.gid, home: sandbox.homeDir } } : {}),
  };
  const logger = new MemoryLogger();
  const controller = new ObservedController({ config, logger, dynamicParameters: {}, postmasterLog: `${sandbox.root}/${name}.log` });
  const dynamic = readDynamicConfig(DYNAMIC);
  const server = new MemoryDcsServer({ clock: systemClock });
  const layout = new KeyLayout({ scope: 'api' });
  const dcs = new RecordingDcs({
    adapter: options.adapter ? await options.adapter(layout, name, dynamic.timing.ttl) : new MemoryDcs({ server, layout, name, ttlSeconds: dynamic.timing.ttl }),
    timing: dynamic.timing,
    clock: systemClock,
    logger,
  });
  const node: { -readonly [K in keyof NodeConfig]: NodeConfig[K] } = {
    name,
    apiUrl: `http://127.0.0.1:0/patroni`,
    connUrl: `postgres://127.0.0.1:${port}/postgres`,
    proxyUrl: null,
    tags: readTags(TAGS),
    version: '3.3.1',
    canBootstrap: true,
    canCloneWithoutLeader: false,
    bootstrapDcsConfig: DYNAMIC,
    removeDataDirectoryOnDivergedTimelines: false,
  };
  // One node, no peers and no guard: the API under test needs neither.
  const loop = createNode({
    node,
    dcs,
    postgres: controller,
    clock: systemClock,
    random: systemRandom,
    logger,
    peers: NO_PEERS,
    leaseGuard: NO_LEASE_GUARD,
    dynamicConfig: new DynamicConfigTracker(logger, dynamic),
  });
  const deps = { name, dcs, loop, controller, logger, serverVersion: () => 150000, reload: () => undefined, peers: NO_PEERS };
  const restarts = scheduledRestarts(deps);
  const api = await RestApiServer.start({
    config: { listen: '127.0.0.1:0' },
    source: nodeStateSource({
      name,
      scope: 'api',
      version: '3.3.1',
      loop,
      controller,
      dcs,
      dynamic: () => dynamic,
      tags: filterTags(TAGS),
      scheduledRestart: () => restarts.view(),
    }),
    actions: apiActions({ ...deps, scheduled: restarts }),
    logger,
  });
  // The member key names the API actually listening, as an agent's does.
  node.apiUrl = `${api.url}/patroni`;
  return {
    name,
    connUrl: node.connUrl,
    controller,
    loop,
    dcs,
    server,
    layout,
    api,
    logger,
    async memberData() {
      const cluster = await dcs.freshCluster();
      return cluster.members.find((m) => m.name === name)?.data as Record<string, unknown> | undefined;
    },
    async leaderName() {
      return (await dcs.freshCluster()).leader?.name ?? null;
    },
    async sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
      const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        return (await client.query<T>(text)).rows;
      } finally {
        await client.end();
      }
    },
    async close() {
      await loop.stop();
      await api.close();
      await controller.stop('immediate', { timeoutMs: 10_000 });
      await controller.close();
      await dcs.close().catch(() => undefined);
    },
  };
}

/** GET/POST/DELETE against the node's API; the body parsed as JSON when it is JSON. */
export async function call(node: PgNode, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${node.api.url}${path}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

export { waitFor } from '../e2e/cluster.js';
