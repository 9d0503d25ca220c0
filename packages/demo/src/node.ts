/**
 * One pgwarden node, assembled from the library's public parts — what the agent does
 * for each host, minus patroni.yml parsing:
 *
 *   LocalPostgresController  drives this node's PostgreSQL (initdb, start, clone, promote, pg_rewind…)
 *   Dcs                      the cluster's shared state through one adapter (one session per node)
 *   createNode               the HA loop (observe → decide → act every loop_wait), built from its ports
 *   RestApiServer            Patroni's REST API on its own port (health checks, /patroni, /switchover)
 */
import { join } from 'node:path';
import {
  createNode,
  Dcs,
  DynamicConfigTracker,
  httpPeerClient,
  LocalPostgresController,
  NO_LEASE_GUARD,
  PATRONI_PROTOCOL_VERSION,
  readDynamicConfig,
  readTags,
  systemClock,
  systemRandom,
  type LocalPostgresConfig,
  type HaNode,
  type NodeConfig,
} from '@pgwarden/core';
import { BOOTSTRAP_DCS, LOCAL_PARAMETERS, REPLICATION, SCOPE, SUPERUSER } from './cluster-config.js';
import type { DcsChoice } from './dcs-choice.js';
import type { Workspace } from './environment.js';
import { FileLogger } from './file-logger.js';
import { startNodeApi, type NodeApi } from './node-api.js';

/** Where a node lives; stays the same when its agent is restarted (the host comes back). */
export interface NodeAddress {
  readonly name: string;
  readonly pgPort: number;
  readonly apiPort: number;
  readonly dataDir: string;
  readonly socketDir: string;
}

/** The Patroni protocol version written into member keys. */
const PROTOCOL_VERSION = PATRONI_PROTOCOL_VERSION;

export class DemoNode {
  readonly controller: LocalPostgresController;
  readonly loop: HaNode;
  readonly logger: FileLogger;
  private api: NodeApi | null = null;

  private constructor(
    readonly address: NodeAddress,
    readonly dcs: Dcs,
    readonly config: LocalPostgresConfig,
    readonly node: NodeConfig,
    logger: FileLogger,
  ) {
    this.logger = logger;
    // The dynamic configuration's one owner; the controller starts with its parameters,
    // and the loop applies whatever /config changes later.
    const dynamicConfig = new DynamicConfigTracker(logger, readDynamicConfig(BOOTSTRAP_DCS));
    this.controller = new LocalPostgresController({
      config,
      logger,
      dynamicParameters: dynamicConfig.current.parameters as Record<string, string | number | boolean>,
      postmasterLog: join(address.dataDir, '..', `${address.name}.postgres.log`),
    });
    this.loop = createNode({
      node,
      dcs,
      postgres: this.controller,
      clock: systemClock,
      random: systemRandom,
      logger,
      // Peers' /patroni during a leader race, POST /failsafe while the DCS is down.
      peers: httpPeerClient(),
      // The demo stops engines on purpose to show a failover; a production agent passes the
      // fence and the watchdog here (fenceLeaseGuard, watchdogLeaseGuard).
      leaseGuard: NO_LEASE_GUARD,
      dynamicConfig,
    });
  }

  /** Builds a node (nothing starts yet). `binDir` and `runAs` come from the environment checks. */
  static async create(address: NodeAddress, ws: Workspace, choice: DcsChoice, binDir: string): Promise<DemoNode> {
    const logger = new FileLogger(join(ws.root, `${address.name}.agent.log`));
    const timing = readDynamicConfig(BOOTSTRAP_DCS).timing;
    const adapter = await choice.connect(address.name, timing, logger);
    const dcs = new Dcs({ adapter, timing, logger });
    const runAs = ws.runAs;
    // The `postgresql` section of patroni.yml, with Patroni's key names.
    const config: LocalPostgresConfig = {
      scope: SCOPE,
      name: address.name,
      data_dir: address.dataDir,
      bin_dir: binDir,
      listen: `127.0.0.1:${address.pgPort}`,
      connect_address: `127.0.0.1:${address.pgPort}`,
      authentication: { superuser: SUPERUSER, replication: REPLICATION },
      parameters: { ...LOCAL_PARAMETERS, unix_socket_directories: address.socketDir },
      pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 md5', `host replication ${REPLICATION.username} 127.0.0.1/32 md5`],
      pgpass: join(ws.root, `${address.name}.pgpass`),
      use_pg_rewind: true,
      use_slots: true,
      pg_ctl_timeout: 30,
      ...(runAs ? { run_as: runAs } : {}),
    };
    const node: NodeConfig = {
      name: address.name,
      apiUrl: `http://127.0.0.1:${address.apiPort}/patroni`,
      connUrl: `postgres://127.0.0.1:${address.pgPort}/postgres`,
      proxyUrl: null,
      tags: readTags({}),
      version: PROTOCOL_VERSION,
      canBootstrap: true,
      canCloneWithoutLeader: false,
      bootstrapDcsConfig: BOOTSTRAP_DCS,
      removeDataDirectoryOnDivergedTimelines: false,
    };
    return new DemoNode(address, dcs, config, node, logger);
  }

  get name(): string {
    return this.address.name;
  }

  /** Starts the REST API, then the HA loop (peers may ask our API as soon as we appear in the DCS). */
  async start(): Promise<void> {
    this.api = await startNodeApi(this);
    this.loop.start();
  }

  /**
   * A host loss: the agent stops without releasing the lock (its lease expires after
   * ttl) and the postmaster is SIGKILLed, as if the machine lost power. Returns the PID.
   */
  async crash(): Promise<number | null> {
    await this.loop.stop();
    await this.api?.close();
    this.api = null;
    const pid = this.controller.status().postmasterPid;
    if (pid !== null) process.kill(pid, 'SIGKILL');
    await this.controller.close();
    return pid;
  }

  /** Stops the agent. `stopPostgres` false keeps Postgres running (the agent is not Postgres' parent). */
  async shutdown(stopPostgres: boolean): Promise<void> {
    await this.loop.stop();
    await this.api?.close();
    this.api = null;
    if (stopPostgres) await this.controller.stop('fast', { timeoutMs: 10_000 });
    await this.controller.close();
    await this.dcs.close().catch(() => undefined);
  }

  /** Closes the DCS session of a node that was crashed (its lock has long expired by then). */
  async closeDcs(): Promise<void> {
    await this.dcs.close().catch(() => undefined);
  }
}
