/**
 * The one assembly of an HA node. The daemon, the demo, the simulation and the tests all
 * build their nodes here, so what the simulation proves is the composition that ships:
 * only the I/O behind the ports differs. Every port is required; a user who wants none
 * of a port passes its named no-op (NO_PEERS, NO_LEASE_GUARD, silentLogger).
 */
import type { DynamicConfigTracker } from '../config/dynamic-tracker.js';
import type { Dcs } from '../dcs/dcs.js';
import type { Logger } from '../logger.js';
import type { Clock, Random } from '../time/clock.js';
import type { LeaseGuard } from './lease-guard.js';
import { ASSEMBLY, HaLoop, type EngineRewrite } from './loop.js';
import type { PeerClient } from './peer-client.js';
import type { HaPostgres } from './ports.js';
import type { NodeConfig } from './view.js';

export interface NodePorts {
  /** This member: name, addresses, tags, bootstrap.dcs. */
  readonly node: NodeConfig;
  readonly dcs: Dcs;
  readonly postgres: HaPostgres;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Other members' REST APIs: `/patroni` during races, `POST /failsafe` while the DCS is down. */
  readonly peers: PeerClient;
  /** What stops Postgres if this agent cannot renew the lock in time: the fence, the watchdog. */
  readonly leaseGuard: LeaseGuard;
  /**
   * The dynamic configuration's one owner. The loop feeds it every `/config` it reads;
   * everything else reads `current` or subscribes through `HaNode.onConfigChange`.
   */
  readonly dynamicConfig: DynamicConfigTracker;
}

/** A running node: the HA loop, its status, and the hooks the REST API needs. */
export type HaNode = HaLoop;

/** `rewrite` is for the simulation's planted bugs only (see EngineRewrite); never in production. */
export function createNode(ports: NodePorts, rewrite?: EngineRewrite): HaNode {
  for (const key of ['node', 'dcs', 'postgres', 'clock', 'random', 'logger', 'peers', 'leaseGuard', 'dynamicConfig'] as const) {
    // A JavaScript caller can still leave a port out: say which, rather than run without it.
    if (ports[key] === undefined || ports[key] === null) throw new TypeError(`createNode: the ${key} port is required (pass its no-op to run without one)`);
  }
  return new HaLoop(ports, ASSEMBLY, rewrite);
}
