/**
 * The real HA engine behind the simulation's NodeAgent interface, built by createNode
 * exactly as the daemon builds it; only the I/O behind the ports is the world's:
 * - the DCS, Postgres (the model) and the clock of this agent's process;
 * - peers through the simulated network (`GET /patroni`, `POST /failsafe`);
 * - the lease guard: the world's fence (a process outside the agent that kills Postgres
 *   at the deadline it was armed with), driven by the engine's own arm/settle actions.
 *
 * `GET /patroni` for peers is built from the engine's last status and a live look at
 * Postgres (as the REST API does), with the fields the leader race reads.
 */
import { DynamicConfigTracker } from '../../src/config/dynamic-tracker.js';
import { readDynamicConfig } from '../../src/config/dynamic.js';
import type { JsonObject } from '../../src/dcs/cluster.js';
import { createNode, type HaNode } from '../../src/ha/create-node.js';
import { NO_LEASE_GUARD, type LeaseGuard } from '../../src/ha/lease-guard.js';
import type { FailsafeBody } from '../../src/ha/ports.js';
import { DEFAULT_TAGS } from '../../src/ha/tags.js';
import type { NodeConfig } from '../../src/ha/view.js';
import type { AgentContext, AgentFactory, NodeAgent } from '../agent.js';
import type { Fence } from '../fence.js';
import { PLANTED_BUGS, type PlantedBug } from '../planted-bugs.js';

export interface EngineAgentOptions {
  /** The world's fence as the lease guard (default true); false = NO_LEASE_GUARD, the engine alone. */
  readonly fence?: boolean;
  /** Extra keys for bootstrap.dcs (merged over the defaults built from the world). */
  readonly dcsConfig?: JsonObject;
  /** A planted bug (sim/planted-bugs.ts), for the simulation's own tests. */
  readonly plant?: PlantedBug;
}

export function engineAgent(options: EngineAgentOptions = {}): AgentFactory {
  return (ctx) => new EngineAgent(ctx, options);
}

/** The world's fence behind the engine's lease-guard port. */
export function worldFenceGuard(fence: Fence): LeaseGuard {
  return {
    readiness: () => null,
    activate: () => true,
    arm: async ({ validUntil }) => fence.arm(validUntil),
    disarm: async () => fence.disarm(),
  };
}

class EngineAgent implements NodeAgent {
  private readonly loop: HaNode;

  constructor(
    private readonly ctx: AgentContext,
    options: EngineAgentOptions,
  ) {
    const node: NodeConfig = {
      name: ctx.name,
      apiUrl: ctx.apiUrl(ctx.name),
      connUrl: ctx.connUrl(ctx.name),
      proxyUrl: null,
      tags: ctx.nofailover ? { ...DEFAULT_TAGS, nofailover: true } : DEFAULT_TAGS,
      version: '4.0.0',
      canBootstrap: true,
      canCloneWithoutLeader: false,
      bootstrapDcsConfig: {
        ttl: ctx.timing.ttl,
        loop_wait: ctx.timing.loopWait,
        retry_timeout: ctx.timing.retryTimeout,
        synchronous_mode: ctx.synchronousMode,
        postgresql: { use_pg_rewind: true, use_slots: true },
        ...options.dcsConfig,
      },
      removeDataDirectoryOnDivergedTimelines: false,
    };
    this.loop = createNode(
      {
        node,
        dcs: ctx.dcs,
        postgres: ctx.postgres,
        clock: ctx.clock,
        random: ctx.random,
        logger: ctx.logger,
        peers: {
          fetchStatus: async (peer) => {
            const body = await ctx.fetchPeer(peer.name);
            if (body === null || body === undefined) throw new Error(`${peer.name} did not answer`);
            return body;
          },
          postFailsafe: (peer, body) => ctx.postFailsafe(peer.name, body),
        },
        leaseGuard: (options.fence ?? true) ? worldFenceGuard(ctx.fence) : NO_LEASE_GUARD,
        dynamicConfig: new DynamicConfigTracker(ctx.logger, readDynamicConfig(node.bootstrapDcsConfig)),
      },
      options.plant ? PLANTED_BUGS[options.plant] : undefined,
    );
  }

  start(): void {
    this.loop.start();
  }

  shutdown(): Promise<void> {
    return this.loop.stop();
  }

  failsafe(body: FailsafeBody): boolean {
    return this.loop.recordFailsafe(body) === 'Accepted';
  }

  apiStatus(): unknown {
    const status = this.loop.getStatus();
    const pg = this.ctx.pgApiSnapshot();
    const base = { state: status.state, role: pg?.primary ? 'primary' : 'replica', patroni: { version: '4.0.0', scope: 'sim', name: this.ctx.name } };
    if (!pg) return base;
    return {
      ...base,
      xlog: pg.primary ? { location: pg.flushLsn } : { received_location: pg.flushLsn, replayed_location: pg.replayLsn, paused: false },
      timeline: pg.timeline,
      database_system_identifier: pg.sysid,
    };
  }
}
