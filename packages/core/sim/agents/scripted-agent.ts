/**
 * A deliberately small HA agent for testing the simulation itself (not Patroni's full
 * decision tree): bootstrap or clone, race for the lock when it is free, promote when
 * holding it, refresh every loop_wait, demote when the lock is lost or the DCS is
 * unreachable, and rewind an ex-primary before it follows. It arms the fence with each
 * `validUntil`, so even a paused agent cannot outlive its lock.
 *
 * `flaws` turn it into a broken agent, to prove the invariants catch what they should:
 * - `neverDemote`: keeps Postgres writable after losing the lock (split brain);
 * - `noFence`: does not arm the fence (a paused leader stays writable).
 */
import type { Cluster } from '../../src/dcs/cluster.js';
import type { AgentContext, NodeAgent } from '../agent.js';

export interface ScriptedFlaws {
  readonly neverDemote?: boolean;
  readonly noFence?: boolean;
}

export function scriptedAgent(flaws: ScriptedFlaws = {}): (ctx: AgentContext) => NodeAgent {
  return (ctx) => new ScriptedAgent(ctx, flaws);
}

class ScriptedAgent implements NodeAgent {
  private cycleRunning = false;
  private validUntil = 0;

  constructor(
    private readonly ctx: AgentContext,
    private readonly flaws: ScriptedFlaws,
  ) {}

  start(): void {
    this.schedule(0);
  }

  apiStatus(): unknown {
    return undefined;
  }

  private schedule(ms: number): void {
    this.ctx.clock.setTimer(ms, () => void this.cycle());
  }

  private async cycle(): Promise<void> {
    if (this.cycleRunning) return;
    this.cycleRunning = true;
    const started = this.ctx.clock.now();
    try {
      await this.runCycle();
    } finally {
      this.cycleRunning = false;
      const next = started + this.ctx.timing.loopWait * 1000 - this.ctx.clock.now();
      this.schedule(Math.max(0, next));
    }
  }

  private async runCycle(): Promise<void> {
    const { dcs, postgres: pg, name } = this.ctx;
    const loaded = await dcs.loadCluster();
    if (loaded.kind === 'unavailable') {
      if (await this.isPrimary()) await this.demote(null, 'DCS is not accessible');
      return;
    }
    const cluster = loaded.cluster;
    const dir = await pg.dataDirState();
    if (dir.kind !== 'valid') return this.create(cluster);
    const leader = cluster.leader?.name ?? null;
    if (leader === name) {
      const outcome = await dcs.refreshLeader(cluster);
      if (outcome.kind === 'held') {
        this.armFence(outcome.validUntil);
        await this.beLeader();
      } else {
        await this.demote(null, `lock refresh answered ${outcome.kind}`);
      }
    } else if (leader !== null) {
      if (await this.isPrimary()) await this.demote(leader, `${leader} holds the lock`);
      else await this.follow(leader);
    } else {
      await this.race(cluster);
    }
    await this.touch();
  }

  /** Empty data directory: win `initialize` and bootstrap, or clone from the leader. */
  private async create(cluster: Cluster): Promise<void> {
    const { dcs, postgres: pg, name } = this.ctx;
    if (cluster.leader) {
      const cloned = await pg.clone({ upstream: { name: cluster.leader.name, connUrl: this.ctx.connUrl(cluster.leader.name) } });
      if (cloned.ok) await pg.start({ role: 'replica', upstream: { name: cluster.leader.name, connUrl: null } });
      return;
    }
    if (cluster.initialize !== null) return;
    const claimed = await dcs.initialize({ createNew: true });
    if (claimed.kind !== 'written') return;
    this.ctx.logger.info('trying to bootstrap a new cluster');
    const boot = await pg.bootstrap();
    const state = await pg.dataDirState();
    if (!boot.ok || state.kind !== 'valid') {
      await dcs.cancelInitialization();
      return;
    }
    await dcs.initialize({ createNew: false, sysid: state.sysid });
    const lock = await dcs.takeLeader();
    if (lock.kind === 'held') this.armFence(lock.validUntil);
    await pg.postBootstrap();
    this.ctx.logger.info(`initialized a new cluster as ${name}`);
  }

  private async race(cluster: Cluster): Promise<void> {
    const { dcs, postgres: pg } = this.ctx;
    if (!(await pg.isRunning())) {
      await pg.start({ role: 'replica', upstream: null });
      return;
    }
    const obs = await pg.observe();
    if (!obs.ok) return;
    const mine = obs.value.walPosition;
    const best = Math.max(0, ...cluster.members.filter((m) => m.name !== this.ctx.name).map((m) => Number(m.data.xlog_location ?? 0)));
    if (obs.value.inRecovery && mine < best) return;
    const outcome = await dcs.acquireLeader();
    if (outcome.kind !== 'held') return;
    this.ctx.logger.info('acquired the leader lock');
    this.armFence(outcome.validUntil);
    await this.beLeader();
  }

  private async beLeader(): Promise<void> {
    const pg = this.ctx.postgres;
    if (!(await pg.isRunning())) {
      await pg.start({ role: 'replica', upstream: null });
    }
    const obs = await pg.observe();
    // Re-check after the awaits above: a pause may have outlived the lock (stale intent).
    if (obs.ok && obs.value.inRecovery && this.ctx.clock.now() < this.validUntil) {
      const promoted = await pg.promote({ waitMs: this.ctx.timing.loopWait * 1000 });
      this.ctx.logger.info(promoted.ok ? 'promoted self to leader' : `promote: ${promoted.message}`);
    }
  }

  private async demote(leader: string | null, why: string): Promise<void> {
    if (this.flaws.neverDemote) return;
    const pg = this.ctx.postgres;
    if (!(await this.isPrimary())) {
      this.ctx.fence.disarm();
      return;
    }
    this.ctx.logger.info(`demoting: ${why}`);
    await pg.stop('immediate');
    this.ctx.fence.disarm();
    if (leader) await this.follow(leader);
    else await pg.start({ role: 'replica', upstream: null });
  }

  /** Follow the leader; an ex-primary whose history diverged is rewound first. */
  private async follow(leader: string): Promise<void> {
    const pg = this.ctx.postgres;
    const source = { name: leader, connUrl: this.ctx.connUrl(leader) };
    const obs = await pg.observe();
    const streaming = obs.ok && obs.value.walReceiver !== null;
    if (!streaming) {
      const diverged = await pg.checkDivergence(source);
      if (diverged.ok && diverged.value.needed) {
        const rewound = await pg.rewind(source);
        this.ctx.logger.info(rewound.ok ? `rewound from ${leader}` : `rewind: ${rewound.message}`);
        if (!rewound.ok) return;
      }
    }
    await pg.follow({ upstream: source });
  }

  private async isPrimary(): Promise<boolean> {
    const obs = await this.ctx.postgres.observe();
    return obs.ok && !obs.value.inRecovery;
  }

  private armFence(validUntil: number): void {
    this.validUntil = validUntil;
    if (!this.flaws.noFence) this.ctx.fence.arm(validUntil);
  }

  private async touch(): Promise<void> {
    const obs = await this.ctx.postgres.observe();
    await this.ctx.dcs.touchMember({
      conn_url: this.ctx.connUrl(this.ctx.name),
      api_url: this.ctx.apiUrl(this.ctx.name),
      state: this.ctx.postgres.status().state,
      role: obs.ok && !obs.value.inRecovery ? 'primary' : 'replica',
      ...(obs.ok ? { xlog_location: obs.value.walPosition, timeline: obs.value.timeline } : {}),
    });
  }
}
