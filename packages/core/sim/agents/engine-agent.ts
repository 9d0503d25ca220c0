/**
 * The real HA engine (HaLoop from src/ha) behind the simulation's NodeAgent interface.
 *
 * What the adapter adds, and why:
 * - `GET /patroni` for peers, built from the engine's last status and a live look at
 *   Postgres (as the REST API does), with the fields the leader race reads.
 * - The fence (`fence: true`, the default): armed with `validUntil` after every `held`
 *   lock answer, disarmed once the engine neither holds the lock nor runs a primary. This is what a watchdog
 *   port would do (Patroni: keepalive after each successful lock update); the engine
 *   has no watchdog port yet (election.ts says so), so the adapter stands in for it.
 *   Without it a paused agent leaves a writable primary past its lock (spec §5).
 */
import type { JsonObject } from '../../src/dcs/cluster.js';
import type { LockOutcome } from '../../src/dcs/outcomes.js';
import type { UnsafeSwitches } from '../../src/ha/decide/context.js';
import { HaLoop, type HaStatus } from '../../src/ha/loop.js';
import { DEFAULT_TAGS } from '../../src/ha/tags.js';
import type { NodeConfig } from '../../src/ha/view.js';
import type { AgentContext, AgentFactory, NodeAgent } from '../agent.js';

export interface EngineAgentOptions {
  /** Arm the world's fence with lockValidUntil after each cycle (default true). */
  readonly fence?: boolean;
  /** Extra keys for bootstrap.dcs (merged over the defaults built from the world). */
  readonly dcsConfig?: JsonObject;
  /** TEST ONLY: planted bugs (one safety step off), see UnsafeSwitches. */
  readonly unsafe?: UnsafeSwitches;
}

export function engineAgent(options: EngineAgentOptions = {}): AgentFactory {
  return (ctx) => new EngineAgent(ctx, options);
}

class EngineAgent implements NodeAgent {
  private readonly loop: HaLoop;

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
    this.loop = new HaLoop({
      dcs: ctx.dcs,
      postgres: ctx.postgres,
      clock: ctx.clock,
      random: ctx.random,
      node,
      logger: ctx.logger,
      history: ctx.history,
      ...(options.unsafe ? { unsafe: options.unsafe } : {}),
      fetchPeerStatus: async (peer) => {
        const body = await ctx.fetchPeer(peer.name);
        if (body === null || body === undefined) throw new Error(`${peer.name} did not answer`);
        return body;
      },
    });
    if (options.fence ?? true) this.wrapWithFence();
  }

  start(): void {
    this.loop.start();
  }

  shutdown(): Promise<void> {
    return this.loop.stop();
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

  /**
   * Keepalive right after each successful lock call (as Patroni's watchdog does), and
   * disarm only once a cycle ends without the lock *and* Postgres no longer runs as a
   * primary (the demotion safepoint). HaLoop.runCycle is public and called through
   * `this`, so wrapping the instance's method sees every cycle.
   */
  private wrapWithFence(): void {
    const { dcs, fence } = this.ctx;
    const keepalive = (o: LockOutcome): LockOutcome => {
      if (o.kind === 'held') fence.arm(o.validUntil);
      return o;
    };
    const acquire = dcs.acquireLeader.bind(dcs);
    const refresh = dcs.refreshLeader.bind(dcs);
    const take = dcs.takeLeader.bind(dcs);
    dcs.acquireLeader = async () => keepalive(await acquire());
    dcs.refreshLeader = async (cluster) => keepalive(await refresh(cluster));
    dcs.takeLeader = async () => keepalive(await take());
    const run = this.loop.runCycle.bind(this.loop);
    this.loop.runCycle = async (): Promise<HaStatus> => {
      const status = await run();
      if (status.lockValidUntil === null && !this.ctx.pgApiSnapshot()?.primary) fence.disarm();
      return status;
    };
  }
}
