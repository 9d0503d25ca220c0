/**
 * The tests' way to build a node: createNode with the named no-ops for the ports a test
 * does not exercise, so a test states only what it injects.
 */
import {
  createNode,
  DynamicConfigTracker,
  NO_LEASE_GUARD,
  NO_PEERS,
  readDynamicConfig,
  seededRandom,
  silentLogger,
  type Clock,
  type Dcs,
  type FailsafePoster,
  type HaNode,
  type HaPostgres,
  type LeaseGuard,
  type Logger,
  type NodeConfig,
  type PeerStatusFetcher,
  type Random,
} from '../../src/index.js';

export interface TestNodePorts {
  readonly node: NodeConfig;
  readonly dcs: Dcs;
  readonly postgres: HaPostgres;
  readonly clock: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  readonly fetchPeerStatus?: PeerStatusFetcher;
  readonly postFailsafe?: FailsafePoster;
  readonly leaseGuard?: LeaseGuard;
}

export function buildNode(p: TestNodePorts): HaNode {
  const logger = p.logger ?? silentLogger;
  return createNode({
    node: p.node,
    dcs: p.dcs,
    postgres: p.postgres,
    clock: p.clock,
    random: p.random ?? seededRandom(2),
    logger,
    peers: { fetchStatus: p.fetchPeerStatus ?? NO_PEERS.fetchStatus, postFailsafe: p.postFailsafe ?? NO_PEERS.postFailsafe },
    leaseGuard: p.leaseGuard ?? NO_LEASE_GUARD,
    dynamicConfig: new DynamicConfigTracker(logger, readDynamicConfig(p.node.bootstrapDcsConfig)),
  });
}
