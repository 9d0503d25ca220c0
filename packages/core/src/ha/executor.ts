/**
 * Applies a Decision (see actions.ts). Actions run strictly in the order decide() listed
 * them; a gate (always last in its list) runs, and execution continues with the branch
 * its outcome selects. Long actions are launched as the single async task and return at
 * once. Every DCS call carries Dcs's retry_timeout deadline; every Postgres call gets an
 * explicit `timeoutMs`.
 */
import type { DynamicConfig } from '../config/dynamic.js';
import type { Cluster, HistoryLine } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { Logger } from '../logger.js';
import type { DynamicConfigFiles, PostgresParameters } from '../postgres/controller.js';
import type { UpstreamNode } from '../postgres/upstream.js';
import type { Clock } from '../time/clock.js';
import { gateOf, isGate, type Action, type AsyncAction, type Decision, type Gate } from './actions.js';
import type { CycleState } from './cycle-state.js';
import { AFTER_RELEASE_MS, newLeaderToFollow, stopForDemotion } from './demote.js';
import { formerLeaders, watchLeaderTaken } from './leader-taken.js';
import { demoteDeps, taskBody } from './task-bodies.js';
import { standbyFingerprint } from './standby-fingerprint.js';
import { buildMemberData } from './member-data.js';
import { leaseGuardSettlement, type LeaseGuard, type LeaseTiming } from './lease-guard.js';
import { postRefreshCallsEndBy } from './post-refresh-budget.js';
import type { FailsafePoster, HaPostgres } from './ports.js';
import type { TaskRunner } from './task-runner.js';
import type { NodeConfig } from './view.js';

export interface ExecutorDeps {
  readonly dcs: Dcs;
  readonly postgres: HaPostgres;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tasks: TaskRunner;
  readonly node: NodeConfig;
  readonly postFailsafe: FailsafePoster;
  /** What stops Postgres if this agent cannot renew the lock in time (fence, watchdog). */
  readonly guard: LeaseGuard;
}

/** Per-cycle inputs the executor needs besides the decision. */
export interface ExecutionContext {
  readonly cluster: Cluster | null;
  readonly config: DynamicConfig;
}

const FAILSAFE_TIMEOUT_MS = 2000;

export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  /** When the previous cycle's execution ended (Clock.now): the loop observed Postgres after it. */
  private previousRunEnded: number | null = null;
  /** This cycle's actions did something to Postgres (started, stopped, reloaded it, changed slots...). */
  private actedOnPostgres = false;
  /** Why the last divergence check could not tell, logged once until it changes or the check tells. */
  private divergenceDoubt: string | null = null;

  async run(decision: Decision, state: CycleState, ctx: ExecutionContext): Promise<void> {
    this.actedOnPostgres = false;
    try {
      await this.runFrom(decision, state, ctx);
    } finally {
      this.previousRunEnded = this.deps.clock.now();
      this.deps.dcs.endCallsBy(null);
    }
  }

  /**
   * Since when an observation of Postgres may serve this cycle's member key and slot pass:
   * the one the loop took at the start of the cycle (after the previous execution ended)
   * still holds when no action of this cycle touched Postgres and no task is running;
   * otherwise none, a new query. The controller also refuses it after any change made
   * through it (ObserveOptions).
   */
  private observationSince(): number | undefined {
    if (this.actedOnPostgres || this.deps.tasks.current !== null || this.previousRunEnded === null) return undefined;
    return this.previousRunEnded;
  }

  private async runFrom(decision: Decision, state: CycleState, ctx: ExecutionContext): Promise<void> {
    let current: Decision | undefined = decision;
    while (current) {
      const gate = gateOf(current);
      // An index, not for-of: this runs every cycle, and an iterator allocates per step.
      const plainCount = gate ? current.actions.length - 1 : current.actions.length;
      for (let i = 0; i < plainCount; i++) {
        await this.apply(current.actions[i]!, state, ctx);
        if (state.fatal) {
          state.leaf = current;
          return;
        }
      }
      if (!gate) {
        state.leaf = current;
        return;
      }
      const [branch, next] = await this.openGate(gate, state, ctx);
      state.path.push(branch);
      current = next;
    }
  }

  private timeouts(ctx: ExecutionContext): { quick: number; retry: number } {
    const retry = ctx.config.timing.retryTimeout * 1000;
    return { quick: Math.max(1000, retry / 2), retry };
  }

  private async openGate(gate: Gate, state: CycleState, ctx: ExecutionContext): Promise<[string, Decision]> {
    const { dcs, postgres } = this.deps;
    switch (gate.type) {
      case 'acquireLeader':
      case 'refreshLeader': {
        const outcome = gate.type === 'acquireLeader' ? await dcs.acquireLeader() : await dcs.refreshLeader(ctx.cluster);
        if (outcome.kind === 'held') {
          state.lockValidUntil = outcome.validUntil;
          const actsBefore = this.deps.guard.actsBeforeExpiryMs?.() ?? 0;
          this.deps.dcs.endCallsBy(postRefreshCallsEndBy(outcome, this.timeouts(ctx).retry, actsBefore));
          return ['held', gate.onHeld];
        }
        if (outcome.kind === 'lost') {
          state.lockValidUntil = null;
          return ['lost', gate.onLost];
        }
        this.deps.logger.error(`Error communicating with DCS: ${outcome.cause.message}`);
        return ['unavailable', gate.onUnavailable];
      }
      case 'claimInitialize': {
        const outcome = await dcs.initialize({ createNew: true });
        return outcome.kind === 'written' ? ['won', gate.onWon] : ['lost', gate.onLost];
      }
      case 'writeSync': {
        const version = gate.chain && state.lastSyncVersion !== undefined ? state.lastSyncVersion : gate.version;
        const outcome = await dcs.writeSync(gate.leader, gate.standbys, version ?? undefined, gate.quorum);
        if (outcome.kind === 'written') {
          state.lastSyncVersion = outcome.version;
          return ['written', gate.onWritten];
        }
        this.deps.logger.info('Synchronous replication key updated by someone else');
        return ['conflict', gate.onConflict];
      }
      case 'applySyncStandbyNames': {
        this.actedOnPostgres = true;
        const r = await postgres.setSynchronousStandbyNames(gate.value, { timeoutMs: this.timeouts(ctx).quick });
        if (r.ok) return ['applied', gate.onApplied];
        this.deps.logger.warn(`Could not set synchronous_standby_names to ${gate.value ?? "''"}: ${r.message}`);
        return ['failed', gate.onFailed];
      }
      case 'checkDivergence': {
        const r = await postgres.checkDivergence(gate.leader, { timeoutMs: this.timeouts(ctx).retry });
        if (!r.ok) {
          // A replica that cannot tell does not rewind: one line says why it waits.
          const doubt = `Cannot tell whether this node diverged from leader ${gate.leader.name}: ${r.message}`;
          if (doubt !== this.divergenceDoubt) this.deps.logger.warn(doubt);
          this.divergenceDoubt = doubt;
          return ['unknown', gate.onUnknown];
        }
        this.divergenceDoubt = null;
        return r.value.needed ? ['needed', gate.onNeeded] : ['notNeeded', gate.onNotNeeded];
      }
      case 'failsafeCheck': {
        const accepted = await this.askFailsafe(gate.members);
        if (accepted) {
          // Failsafe consent extends our leadership by ttl (Patroni: set_is_leader(True)).
          state.lockValidUntil = this.deps.clock.now() + ctx.config.timing.ttl * 1000;
          return ['accepted', gate.onAccepted];
        }
        return ['rejected', gate.onRejected];
      }
      case 'activateWatchdog': {
        const ok = this.deps.guard.activate(leaseTiming(ctx));
        return ok ? ['activated', gate.onActivated] : ['failed', gate.onFailed];
      }
    }
  }

  /** Every member must answer `Accepted`; 2 s each, one retry, in parallel. */
  private async askFailsafe(members: Readonly<Record<string, string>>): Promise<boolean> {
    const post = this.deps.postFailsafe;
    const { node, clock } = this.deps;
    const body = { name: node.name, conn_url: node.connUrl, api_url: node.apiUrl };
    const once = async (name: string, apiUrl: string): Promise<boolean> => {
      const abort = new AbortController();
      const timer = clock.setTimer(FAILSAFE_TIMEOUT_MS, () => abort.abort(new Error('failsafe request timed out')));
      try {
        return await Promise.race([
          post({ name, apiUrl }, body, abort.signal),
          new Promise<boolean>((resolve) => abort.signal.addEventListener('abort', () => resolve(false), { once: true })),
        ]);
      } catch {
        return false;
      } finally {
        timer.cancel();
      }
    };
    const results = await Promise.all(Object.entries(members).map(async ([n, u]) => (await once(n, u)) || (await once(n, u))));
    return results.every(Boolean);
  }

  private async apply(action: Action, state: CycleState, ctx: ExecutionContext): Promise<void> {
    const { dcs, postgres, clock, tasks, logger } = this.deps;
    const t = this.timeouts(ctx);
    switch (action.type) {
      case 'touchMember': {
        const data = buildMemberData({
          node: this.deps.node,
          status: postgres.status(),
          observation: ctx.cluster ? await this.observeQuick(t.quick, this.observationSince()) : null,
          memory: state.memory,
          task: tasks.current,
          paused: ctx.config.pause,
          members: ctx.cluster?.members ?? null,
        });
        await dcs.touchMember(data);
        return;
      }
      case 'initialize':
        await dcs.initialize({ createNew: action.createNew, sysid: action.sysid });
        return;
      case 'cancelInitialization': {
        this.actedOnPostgres = true;
        await dcs.cancelInitialization();
        await postgres.stop('immediate', { checkpoint: false, timeoutMs: t.retry });
        // As Patroni: the half-made cluster has its own system ID; keep it, but out of the way.
        const moved = await postgres.moveDataDirectoryAside?.({ timeoutMs: t.retry });
        if (moved?.ok && moved.value.movedTo) this.deps.logger.info(`Renaming data directory to ${moved.value.movedTo}`);
        else if (moved && !moved.ok) this.deps.logger.error(`Could not move the data directory of the failed bootstrap aside: ${moved.message}`);
        state.fatal = 'Failed to bootstrap cluster';
        return;
      }
      case 'writeConfig':
        await dcs.writeConfig(action.data);
        return;
      case 'releaseLeader':
        await dcs.releaseLeader(action.lastLsn === undefined ? {} : { lastLsn: action.lastLsn });
        state.lockValidUntil = null;
        return;
      case 'takeLeader': {
        const outcome = await dcs.takeLeader();
        state.lockValidUntil = outcome.kind === 'held' ? outcome.validUntil : null;
        return;
      }
      case 'demote':
        this.actedOnPostgres = true;
        if (action.mode === 'graceful') return this.launch(action, state, ctx);
        if (action.mode === 'demote-cluster') return this.demoteCluster(action.upstream, action.role, state, ctx);
        return this.demoteNow(action.mode, state, ctx);
      case 'follow':
        return this.follow(action.upstream, action.role, state);
      case 'stopPostgres':
        this.actedOnPostgres = true;
        await postgres.stop(action.mode, { checkpoint: false, timeoutMs: t.retry });
        state.memory = { ...state.memory, following: null };
        return;
      case 'setSyncStandbyNames':
        this.actedOnPostgres = true;
        await postgres.setSynchronousStandbyNames(action.value, { timeoutMs: t.quick });
        return;
      case 'deleteSync':
        await dcs.deleteSync(action.version ?? undefined);
        return;
      case 'clearFailover':
        await dcs.clearFailover(action.version);
        return;
      case 'writeFailover':
        await dcs.writeFailover({ candidate: action.candidate, scheduledAt: action.scheduledAt }, action.version);
        return;
      case 'writeHistory':
        return this.writeHistory(action.timeline, action.current, ctx, t.quick);
      case 'writeStatus':
        await dcs.writeStatus({ lastLsn: action.lastLsn, slots: action.slots, ...(action.retainSlots && { retainSlots: action.retainSlots }) });
        return;
      case 'writeFailsafe':
        await dcs.writeFailsafe(action.members);
        return;
      case 'syncSlots': {
        // A task launched by this cycle (other than promote) owns Postgres for now.
        const running = tasks.current;
        if (running && running.kind !== 'promote') return;
        const { type: _type, ...request } = action;
        const r = await postgres.syncSlots(request, { timeoutMs: t.quick, ...optionalSince(this.observationSince()) });
        if (!r.ok || r.value.created.length || r.value.dropped.length || r.value.advanced.length) this.actedOnPostgres = true;
        if (!r.ok) logger.warn(`replication slots: ${r.message}`);
        else if (r.value.created.length || r.value.dropped.length) {
          logger.info(`replication slots: created [${r.value.created.join(', ')}], dropped [${r.value.dropped.join(', ')}]`);
        }
        return;
      }
      case 'applyParameters':
        this.actedOnPostgres = true;
        return this.applyParameters(action.parameters, action.liveSyncStandbyNames, action.files, t.quick);
      case 'armLeaseGuard':
        return this.armGuard(state, ctx);
      case 'settleLeaseGuard':
        return this.settleGuard(action.paused, state);
      case 'checkpoint':
        this.actedOnPostgres = true;
        this.backgroundCheckpoint(state);
        return;
      case 'cancelTask':
        this.actedOnPostgres = true;
        await tasks.cancel();
        return;
      case 'sleep':
        if (action.untilLeaderTaken) await watchLeaderTaken(this.deps.dcs, clock, formerLeaders(this.deps.node.name, ctx.cluster)).wait(action.ms);
        else await clock.sleep(action.ms);
        return;
      case 'remember':
        state.memory = { ...state.memory, ...action.patch };
        return;
      case 'wake':
        state.wake = true;
        return;
      case 'wakeAt':
        state.wakeAt = Math.min(state.wakeAt ?? Infinity, action.epochMs);
        return;
      case 'log':
        logger[action.level](action.message);
        return;
      case 'fatal':
        logger.error(action.message);
        state.fatal = action.message;
        return;
      default:
        if (isGate(action)) throw new Error(`a gate (${action.type}) must be the last action of its list`);
        return this.launch(action, state, ctx);
    }
  }

  private async observeQuick(timeoutMs: number, observedSince: number | undefined) {
    const r = await this.deps.postgres.observe({ timeoutMs, ...optionalSince(observedSince) });
    return r.ok ? r.value : null;
  }

  private async applyParameters(
    parameters: PostgresParameters,
    liveSync: string | null,
    files: DynamicConfigFiles,
    timeoutMs: number,
  ): Promise<void> {
    const { postgres, logger } = this.deps;
    // synchronous_standby_names belongs to the sync logic, not to /config: keep the live value.
    const merged = liveSync ? { ...parameters, synchronous_standby_names: liveSync } : parameters;
    const r = await postgres.applyParameters(merged, { timeoutMs: Math.max(timeoutMs, 5000), files });
    if (!r.ok) {
      logger.warn(`Reloading PostgreSQL configuration failed: ${r.message}`);
      return;
    }
    if (r.value.rewritten?.length) logger.info(`Rewrote ${r.value.rewritten.join(', ')} from the dynamic configuration and reloaded PostgreSQL`);
    if (r.value.reloaded.length) logger.info(`Reloaded PostgreSQL configuration: ${r.value.reloaded.join(', ')}`);
    const pending = Object.keys(r.value.pendingRestart);
    if (pending.length) logger.info(`Changed ${pending.join(', ')}: restart PostgreSQL to apply (pending_restart)`);
  }

  /**
   * The guard follows the lock as this cycle left it; the postmaster that runs now is the
   * one guarded (a replica's, before its promotion).
   */
  private async armGuard(state: CycleState, ctx: ExecutionContext): Promise<void> {
    if (state.lockValidUntil === null) return;
    const { postmasterPid } = this.deps.postgres.status();
    await this.deps.guard.arm({ validUntil: state.lockValidUntil, postmasterPid }, leaseTiming(ctx));
  }

  private async settleGuard(paused: boolean, state: CycleState): Promise<void> {
    const pg = this.deps.postgres.status();
    const down = pg.state === 'stopped' || pg.state === 'crashed' || pg.state === 'start failed';
    const mayAcceptWrites = this.deps.tasks.current?.kind === 'promote' || (!down && (pg.role === 'primary' || pg.role === 'promoted'));
    const verdict = leaseGuardSettlement({ paused, holdsLock: state.lockValidUntil !== null, mayAcceptWrites });
    if (verdict === 'disarm') await this.deps.guard.disarm(paused ? 'paused' : 'not holding the lock and not a primary');
  }

  /** The post-promote CHECKPOINT runs beside the loop; the member key says so until it is done. */
  private backgroundCheckpoint(state: CycleState): void {
    if (state.memory.checkpointAfterPromote === 'running') return;
    state.memory = { ...state.memory, checkpointAfterPromote: 'running' };
    void this.deps.postgres.checkpoint().then(
      (r) => this.onCheckpoint?.(r.ok),
      () => this.onCheckpoint?.(false),
    );
  }

  /** Set by the loop: where the background checkpoint reports. */
  onCheckpoint?: (ok: boolean) => void;

  private async follow(upstream: UpstreamNode | null, role: 'replica' | 'standby_leader', state: CycleState): Promise<void> {
    const f = state.memory.following;
    const standby = standbyFingerprint(upstream);
    if (f && f.upstream === (upstream?.name ?? null) && f.connUrl === (upstream?.connUrl ?? null) && f.role === role && (f.standby ?? null) === standby) return;
    this.actedOnPostgres = true;
    const launched = this.deps.tasks.launch('follow', 'changing primary_conninfo and restarting', async (signal) => {
      const r = await this.deps.postgres.follow({ upstream, role }, { signal });
      return r.ok ? { ok: true, value: { upstream, role } } : { ok: false, code: r.code, message: r.message };
    });
    if (!launched) this.deps.logger.warn('follow postponed: a task is running');
  }


  /** offline, immediate, immediate-nolock: stop now, then restart as a replica in a task. */
  private async demoteNow(mode: 'offline' | 'immediate' | 'immediate-nolock', state: CycleState, ctx: ExecutionContext): Promise<void> {
    const deps = demoteDeps(this.deps, ctx);
    this.deps.logger.info(`Demoting self (${mode})`);
    // A task may be starting or promoting this very Postgres: it must not outlive the demotion.
    await this.deps.tasks.cancel();
    const stopped = await stopForDemotion(deps, mode, state.lockValidUntil);
    // The safepoint (Patroni disables its watchdog here): no backend can report a commit.
    // A stop that failed leaves a primary running: the guard stays armed on it.
    if (stopped) await this.deps.guard.disarm(`demoted (${mode})`);
    // Stopped: we act as leader no more, whether or not the DCS still names us (offline).
    state.lockValidUntil = null;
    state.memory = { ...state.memory, following: null };
    let upstream: UpstreamNode | null = null;
    if (mode === 'immediate') {
      const taken = watchLeaderTaken(this.deps.dcs, this.deps.clock, [this.deps.node.name]);
      await this.deps.dcs.releaseLeader();
      await taken.wait(AFTER_RELEASE_MS);
    }
    if (mode !== 'offline') upstream = await newLeaderToFollow(deps);
    if (ctx.config.synchronousMode) await this.deps.postgres.setSynchronousStandbyNames(null, { timeoutMs: this.timeouts(ctx).quick });
    this.deps.tasks.launch('follow', 'starting after demotion', async (signal) => {
      const r = await this.deps.postgres.follow({ upstream, role: 'replica' }, { signal });
      return r.ok ? { ok: true, value: { upstream, role: 'replica' } } : { ok: false, code: r.code, message: r.message };
    });
  }

  /**
   * demote-cluster: the stop comes first and in this cycle, so the primary accepts no
   * write once the cluster is a standby cluster; the lock stays ours (a standby leader
   * keeps it). Then it starts again following the remote, as a task.
   */
  private async demoteCluster(upstream: UpstreamNode | null, role: 'replica' | 'standby_leader', state: CycleState, ctx: ExecutionContext): Promise<void> {
    const deps = demoteDeps(this.deps, ctx);
    this.deps.logger.info('Demoting self (demote-cluster)');
    await this.deps.tasks.cancel();
    const stopped = await stopForDemotion(deps, 'demote-cluster', state.lockValidUntil);
    if (!stopped) return; // still a primary: the next cycle tries again, the guard stays armed
    await this.deps.guard.disarm('demoted (demote-cluster)');
    state.memory = { ...state.memory, following: null };
    this.deps.tasks.launch('follow', 'demoting to a standby cluster', async (signal) => {
      const r = await this.deps.postgres.follow({ upstream, role }, { signal });
      return r.ok ? { ok: true, value: { upstream, role } } : { ok: false, code: r.code, message: r.message };
    });
  }

  private async writeHistory(timeline: number, current: readonly HistoryLine[], ctx: ExecutionContext, timeoutMs: number): Promise<void> {
    if (timeline <= 1) {
      await this.deps.dcs.writeHistory([]);
      return;
    }
    const r = await this.deps.postgres.readTimelineHistory(timeline, { timeoutMs });
    if (!r.ok) return;
    // Older lines keep the promotion time and leader /history already had for them (Patroni
    // enriches every line from the DCS); the file itself only knows timeline, LSN and reason.
    let lines: HistoryLine[] = r.value.map((l) => {
      const known = current.find((c) => c[0] === l[0] && c.length >= 4);
      return (known ? [l[0], l[1], l[2], ...known.slice(3)] : [...l]) as unknown as HistoryLine;
    });
    const last = lines[lines.length - 1];
    if (last) {
      // The newest line carries when and to whom the promotion happened; keep what we had for it.
      const known = current.find((l) => l[0] === last[0] && l.length >= 5);
      lines[lines.length - 1] = known ?? [last[0], last[1], last[2], new Date(this.deps.clock.wallNow()).toISOString(), this.deps.node.name];
    }
    const keep = ctx.config.maxTimelinesHistory;
    if (keep > 0) lines = lines.slice(-keep);
    await this.deps.dcs.writeHistory(lines);
  }

  private async launch(action: AsyncAction, state: CycleState, ctx: ExecutionContext): Promise<void> {
    this.actedOnPostgres = true;
    // Restarting as a replica: nothing to guard until we promote (Patroni's recover).
    if (action.type === 'startPostgres' && action.role !== 'primary') await this.deps.guard.disarm('starting as a replica');
    const spec = taskBody(action, this.deps.postgres, ctx.config.timing.loopWait * 1000, this.deps, ctx, state);
    this.deps.tasks.launch(spec.kind, spec.name, spec.run);
  }
}

function leaseTiming(ctx: ExecutionContext): LeaseTiming {
  return { ttl: ctx.config.timing.ttl, loopWait: ctx.config.timing.loopWait };
}

/** `observedSince` only when there is one (exactOptionalPropertyTypes). */
function optionalSince(since: number | undefined): { observedSince?: number } {
  return since === undefined ? {} : { observedSince: since };
}
