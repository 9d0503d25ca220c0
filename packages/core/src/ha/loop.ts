/**
 * The HA loop: observe → decide → act, every loop_wait on the injected Clock, waking
 * early on a DCS watch event (leader/config; for the leader, also a member key it has not
 * seen), a REST request (`wake()`), the postmaster exiting, or a task finishing. Next run = previous start + loop_wait; a late cycle
 * starts at once with Patroni's "Loop time exceeded" warning.
 */
import type { DynamicConfig } from '../config/dynamic.js';
import type { DynamicConfigTracker } from '../config/dynamic-tracker.js';
import { isConfigValid, type Cluster, type Member } from '../dcs/cluster.js';
import { toPatroniJson } from '../dcs/codec/json.js';
import type { Logger } from '../logger.js';
import type { ControlData, PostgresObservation } from '../postgres/observation.js';
import type { DataDirState } from '../postgres/types.js';
import type { TimerHandle } from '../time/clock.js';
import type { Decision } from './actions.js';
import type { CycleState } from './cycle-state.js';
import type { NodePorts } from './create-node.js';
import type { ScheduledRestartEntry } from './scheduled-restart.js';
import { decide } from './decide/index.js';
import { configJson, type ConfigJson } from './decide/parameters.js';
import { Executor } from './executor.js';
import { fetchPeerStatuses } from './peer-statuses.js';
import type { PeerStatus } from './peers.js';
import { memoryAfterTask, rewindRetryable } from './task-results.js';
import { TaskRunner, type TaskOutcome, type TaskResult } from './task-runner.js';
import { INITIAL_MEMORY, type ClusterView, type FailsafeRecord, type HaMemory, type HaView, type TaskKind } from './view.js';

/**
 * For the simulation's planted bugs only: a rewrite of the view decide() sees and of the
 * decision it returns, applied by the simulation around the real engine. Production never
 * passes one; it is not a switch of the engine.
 */
export interface EngineRewrite {
  readonly view?: (view: HaView) => HaView;
  readonly decision?: (decision: Decision, view: HaView) => Decision;
}

/** Only createNode (create-node.ts) holds this: the loop is built in one place. */
export const ASSEMBLY: unique symbol = Symbol('pgwarden.createNode');

/** What the REST API reads: the last cycle's outcome, without any I/O. */
export interface HaStatus {
  readonly cycle: number;
  readonly role: string;
  readonly state: string;
  readonly message: string;
  readonly reason: Decision['reason'] | null;
  /** Monotonic ms until which our lock is known valid; null when we do not hold it. */
  readonly lockValidUntil: number | null;
  readonly paused: boolean;
  readonly failsafeActive: boolean;
  readonly task: string | null;
  /** Set when the loop stopped on a fatal condition. */
  readonly fatal: string | null;
  /** Cycles that ended in an unexpected error (a bug): logged, counted, and the loop went on. */
  readonly cycleErrors: number;
  /**
   * The cycle's monitoring query (null while Postgres is down or the query failed) and
   * the last DCS snapshot it had: what the REST API serves without doing I/O itself.
   */
  readonly observation: PostgresObservation | null;
  readonly cluster: Cluster | null;
}

export { PEER_STATUS_TIMEOUT_MS } from './peer-statuses.js';

export class HaLoop {
  private readonly opts: NodePorts;
  private readonly rewrite: EngineRewrite;
  private cycleErrors = 0;
  /** A cycle asked to run again at this monotonic time (before loop_wait is up). */
  private wakeAt: number | null = null;
  private readonly configListeners = new Set<(config: DynamicConfig) => void>();
  private readonly logger: Logger;
  private readonly tasks: TaskRunner;
  private readonly executor: Executor;
  private memory: HaMemory = INITIAL_MEMORY;
  private lockValidUntil: number | null = null;
  private config: DynamicConfig;
  /** The JSON decide compares `/config` with, for the config object it was made from. */
  private configJsonMemo: { readonly config: DynamicConfig; readonly json: ConfigJson } | null = null;
  private readonly configTracker: DynamicConfigTracker;
  private lastCluster: Cluster | null = null;
  private oldCluster: Cluster | null = null;
  private failsafeLeader: FailsafeRecord | null = null;
  private lastState: string | null = null;
  private stateSince = 0;
  private status: HaStatus;
  private running = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private readonly unsubscribes: (() => void)[] = [];
  private inCycle = false;
  private pendingResults: TaskResult[] = [];
  /** A background checkpoint's outcome that landed mid-cycle (see onCheckpoint). */
  private pendingCheckpoint: boolean | null = null;
  private readonly cycleListeners = new Set<(status: HaStatus) => void>();

  /** Use createNode(): `token` is only there so that nothing else builds a loop. */
  constructor(options: NodePorts, token: typeof ASSEMBLY, rewrite: EngineRewrite = {}) {
    if (token !== ASSEMBLY) throw new TypeError('build a node with createNode()');
    this.opts = options;
    this.rewrite = rewrite;
    this.logger = options.logger;
    this.configTracker = options.dynamicConfig;
    this.config = this.configTracker.current;
    // The controller starts with the parameters in force now; later changes are decided.
    this.memory = { ...INITIAL_MEMORY, appliedParameters: toPatroniJson(this.config.parameters) };
    this.tasks = new TaskRunner(options.clock, this.logger, (r) => this.onTaskFinished(r));
    this.executor = new Executor({
      dcs: options.dcs,
      postgres: options.postgres,
      clock: options.clock,
      logger: this.logger,
      tasks: this.tasks,
      node: options.node,
      postFailsafe: options.peers.postFailsafe,
      guard: options.leaseGuard,
    });
    this.executor.onCheckpoint = (ok) => {
      // Mid-cycle (a fast checkpoint ends before the cycle that launched it), the cycle's
      // own change needed → running would win mergeMemory and leave it `running` for
      // ever, so a former primary would wait for checkpoint_after_promote for ever:
      // apply it after the cycle, like a task result.
      if (this.inCycle) {
        this.pendingCheckpoint = ok;
        return;
      }
      this.memory = { ...this.memory, checkpointAfterPromote: ok ? 'done' : 'needed' };
      // Publish checkpoint_after_promote at once: a former primary waits for it to rewind.
      if (ok) this.wake();
    };
    this.status = {
      cycle: 0,
      role: options.postgres.status().role,
      state: options.postgres.status().state,
      message: 'starting',
      reason: null,
      lockValidUntil: null,
      paused: false,
      failsafeActive: false,
      task: null,
      fatal: null,
      cycleErrors: 0,
      observation: null,
      cluster: null,
    };
  }

  /**
   * `POST /restart` with `schedule`: kept until decide() runs or drops it. False when one is
   * already scheduled (Patroni's `409 Another restart is already scheduled`).
   */
  scheduleRestart(entry: ScheduledRestartEntry): boolean {
    if (this.memory.scheduledRestart) return false;
    this.memory = { ...this.memory, scheduledRestart: entry };
    this.wake(); // Patroni touches the member key at once.
    return true;
  }

  /** `DELETE /restart`: false when none was scheduled. */
  cancelScheduledRestart(): boolean {
    if (!this.memory.scheduledRestart) return false;
    this.memory = { ...this.memory, scheduledRestart: null };
    this.wake();
    return true;
  }

  /** The restart scheduled now, if any (the member key and `/patroni` show it). */
  scheduledRestart(): ScheduledRestartEntry | null {
    return this.memory.scheduledRestart;
  }

  /** The dynamic configuration in force (the last good `/config`). */
  dynamicConfig(): DynamicConfig {
    return this.config;
  }

  /**
   * Calls `listener` in the cycle that reads a new, valid `/config`, before deciding on
   * it; returns the unsubscribe. Listeners must be quick and must not throw.
   */
  onConfigChange(listener: (config: DynamicConfig) => void): () => void {
    this.configListeners.add(listener);
    return () => {
      this.configListeners.delete(listener);
    };
  }

  /** The last cycle's outcome, for the REST API. No I/O. */
  getStatus(): HaStatus {
    const s = this.opts.postgres.status();
    return { ...this.status, role: s.role, state: s.state, task: this.tasks.current?.name ?? null };
  }

  /** Patroni's is_leader(): true until the last successful renewal + ttl. */
  isLeader(): boolean {
    return this.lockValidUntil !== null && this.opts.clock.now() < this.lockValidUntil;
  }

  /**
   * Runs an operator's action (`POST /restart`, `/reinitialize`) as the single async task,
   * as Patroni does: meanwhile cycles take the task path (keep the lock, no recovery of a
   * Postgres the action stopped on purpose). False when another task is running.
   */
  runTask(kind: TaskKind, name: string, body: (signal: AbortSignal) => Promise<TaskOutcome>): boolean {
    const launched = this.tasks.launch(kind, name, body);
    if (launched) this.wake();
    return launched;
  }

  /**
   * Cancels the running task, if any, and waits (bounded, CANCEL_GRACE_MS) for it to
   * settle. `POST /reinitialize` with `force` does this first, as Patroni's
   * reinitialize(force) cancels its async executor; the next cycle sees no task.
   */
  async cancelTask(): Promise<void> {
    const running = this.tasks.current;
    if (!running) return;
    this.logger.info(`cancelling ${running.name}`);
    await this.tasks.cancel();
    this.wake();
  }

  /** Run the next cycle now (REST actions, tests). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /**
   * The POST /failsafe handler's decision: a running primary refuses; any other node
   * records the sender as the live leader for ttl seconds.
   */
  recordFailsafe(body: { name: string; conn_url?: string; api_url?: string }): 'Accepted' | 'Running as a leader' {
    const s = this.opts.postgres.status();
    if (s.state === 'running' && s.role === 'primary') return 'Running as a leader';
    this.failsafeLeader = {
      name: body.name,
      connUrl: body.conn_url ?? null,
      apiUrl: body.api_url ?? null,
      receivedAt: this.opts.clock.now(),
    };
    return 'Accepted';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribes.push(this.opts.dcs.onChange(() => this.wake()));
    this.unsubscribes.push(
      this.opts.dcs.onMemberWritten((name) => {
        if (this.leadsWithout(name)) this.wake();
      }),
    );
    this.unsubscribes.push(this.opts.postgres.onPostmasterExit(() => this.wake()));
    this.loopDone = this.runForever();
  }

  /** Stops cycling; Postgres keeps running and the lock expires by itself (Patroni's shutdown is separate). */
  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubscribes.splice(0)) u();
    this.wakeUp?.();
    await this.loopDone;
  }

  private async runForever(): Promise<void> {
    const { clock } = this.opts;
    let nextRun = clock.now();
    while (this.running) {
      const started = clock.now();
      try {
        await this.runCycle();
      } catch (error) {
        // The loop must never die: a bug in one cycle is logged and counted, and the next
        // cycle runs on time (a primary whose loop stopped would be fenced, and nobody
        // would take over until every agent was restarted).
        this.recordCycleError(error);
      }
      if (this.status.fatal) {
        this.running = false;
        break;
      }
      nextRun = Math.min(started + loopWaitMs(this.config), this.wakeAt ?? Infinity);
      const now = clock.now();
      if (now >= nextRun) {
        this.logger.warn('Loop time exceeded, rerunning immediately');
        continue;
      }
      await this.nap(nextRun - now);
    }
  }

  /** Sleeps until `ms` pass or something wakes the loop. */
  private nap(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | null = null;
      const done = (): void => {
        timer?.cancel();
        this.wakeUp = null;
        this.wakeRequested = false;
        resolve();
      };
      timer = this.opts.clock.setTimer(ms, done);
      this.wakeUp = done;
    });
  }

  private onTaskFinished(r: TaskResult): void {
    // A result landing mid-cycle is applied after the cycle's own memory changes, never under them.
    if (this.inCycle) {
      this.pendingResults.push(r);
      if (wakesEarly(r)) this.wake();
      return;
    }
    this.applyTaskResult(r);
  }

  private applyTaskResult(r: TaskResult): void {
    this.memory = memoryAfterTask(this.memory, r);
    if (r.kind === 'demote' && r.ok) this.lockValidUntil = null;
    if (!r.ok) this.logger.warn(`${r.name} failed: ${r.message ?? r.code ?? 'unknown error'}`);
    if (wakesEarly(r)) this.wake();
  }

  /** One observe, decide, act cycle. Public so tests and the simulation can step it. */
  async runCycle(): Promise<HaStatus> {
    this.inCycle = true;
    let status: HaStatus;
    try {
      status = await this.cycle();
    } finally {
      this.inCycle = false;
      for (const r of this.pendingResults.splice(0)) this.applyTaskResult(r);
      const checkpointed = this.pendingCheckpoint;
      this.pendingCheckpoint = null;
      if (checkpointed !== null) this.executor.onCheckpoint?.(checkpointed);
    }
    for (const listener of [...this.cycleListeners]) {
      try {
        listener(status);
      } catch (error) {
        this.logger.error(`a cycle listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return status;
  }

  /**
   * Calls `listener` after every cycle with its outcome; returns the unsubscribe. The agent
   * starts a due scheduled restart from here, as Patroni's evaluate_scheduled_restart runs
   * at the end of a cycle: an action launched now is seen as the task by the next cycle.
   */
  onCycleEnd(listener: (status: HaStatus) => void): () => void {
    this.cycleListeners.add(listener);
    return () => {
      this.cycleListeners.delete(listener);
    };
  }

  private recordCycleError(error: unknown): void {
    this.cycleErrors += 1;
    this.status = { ...this.status, cycleErrors: this.cycleErrors };
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.logger.error(`Unexpected exception in the HA loop, please report it as a BUG; the next cycle runs as usual: ${detail}`);
  }

  private async cycle(): Promise<HaStatus> {
    const observed = await this.observe();
    const view = this.rewrite.view ? this.rewrite.view(observed) : observed;
    const decided = decide(view);
    const d = this.rewrite.decision ? this.rewrite.decision(decided, view) : decided;
    const state: CycleState = {
      memory: this.memory,
      lockValidUntil: this.lockValidUntil,
      wake: false,
      wakeAt: null,
      fatal: null,
      lastSyncVersion: undefined,
      path: [],
      leaf: null,
    };
    try {
      await this.executor.run(d, state, { cluster: view.dcs.kind === 'loaded' ? view.dcs.cluster : null, config: view.config });
    } catch (error) {
      // An exception here is a bug in the engine; say so the way Patroni does and keep cycling.
      this.cycleErrors += 1;
      this.logger.error(`Unexpected exception: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      state.leaf = { reason: d.reason, message: 'Unexpected exception raised, please report it as a BUG', actions: [] };
    }
    // The background checkpoint may have reported meanwhile; the cycle wins on the keys it changed.
    this.memory = mergeMemory(view.memory, state.memory, this.memory);
    this.lockValidUntil = state.lockValidUntil;
    const leaf = state.leaf ?? d;
    const s = this.opts.postgres.status();
    this.status = {
      cycle: this.status.cycle + 1,
      role: s.role,
      state: s.state,
      message: leaf.message,
      reason: leaf.reason,
      lockValidUntil: this.lockValidUntil,
      paused: view.config.pause,
      failsafeActive: this.memory.failsafeActive,
      task: this.tasks.current?.name ?? null,
      fatal: state.fatal,
      cycleErrors: this.cycleErrors,
      observation: view.local.observation,
      cluster: this.lastCluster,
    };
    this.logger.info(leaf.message, { reason: leaf.reason, path: state.path });
    if (state.wake) this.wakeRequested = true;
    this.wakeAt = state.wakeAt === null ? null : this.opts.clock.now() + Math.max(0, state.wakeAt - this.opts.clock.wallNow());
    return this.status;
  }

  private async observe(): Promise<HaView> {
    const { dcs, postgres, clock } = this.opts;
    const retryMs = this.config.timing.retryTimeout * 1000;
    const pgTimeout = Math.max(1000, retryMs / 2);
    // The task as of the start of observation: one that finishes while we look at Postgres
    // has its result applied after this cycle. Reading it later would pair "no task" with
    // Postgres state and memory from before it finished (a finished bootstrap then looked
    // like a lost result with Postgres down, and was cancelled).
    const task = this.tasks.current;
    const loaded = await dcs.loadCluster();
    let dcsView: ClusterView;
    if (loaded.kind === 'loaded') {
      const cluster = loaded.cluster;
      if (isConfigValid(cluster.config) && Object.keys(cluster.config.data).length) {
        // A bad /config is refused whole (one warning); the last good one stays in force.
        this.followConfig(cluster.config.data, cluster.config.modifyVersion);
      }
      this.lastCluster = cluster;
      if (cluster.leader) this.oldCluster = cluster;
      dcsView = { kind: 'loaded', cluster };
    } else {
      dcsView = { kind: 'unavailable', cause: loaded.cause, lastCluster: this.lastCluster };
    }
    const status = postgres.status();
    if (status.state !== this.lastState) {
      this.lastState = status.state;
      this.stateSince = clock.now();
    }
    const running = await postgres.isRunning({ timeoutMs: pgTimeout });
    let observation: PostgresObservation | null = null;
    if (running) {
      const r = await postgres.observe({ timeoutMs: pgTimeout });
      observation = r.ok ? r.value : null;
    }
    const dataDir: DataDirState = await postgres.dataDirState({ timeoutMs: pgTimeout });
    let controlData: ControlData | null = null;
    if (!running && dataDir.kind === 'valid') {
      const r = await postgres.controlData({ timeoutMs: pgTimeout });
      controlData = r.ok ? r.value : null;
    }
    const cluster = dcsView.kind === 'loaded' ? dcsView.cluster : null;
    const peers = cluster && this.wantsPeers(cluster, running, status.state) ? await this.fetchPeers(cluster) : null;
    return {
      now: clock.now(),
      wallNow: clock.wallNow(),
      node: this.opts.node,
      dcs: dcsView,
      oldCluster: this.oldCluster,
      config: this.config,
      configJson: this.configJsonOf(this.config),
      local: { status, running, observation, dataDir, controlData, stateSince: this.stateSince },
      lock: { validUntil: this.lockValidUntil },
      task,
      peers,
      memory: this.memory,
      failsafeLeader: this.failsafeLeader,
      random: this.opts.random(),
      watchdog: this.watchdogView(),
    };
  }

  /** `config` as JSON for decide, made again only when the config in force changes (not every cycle). */
  private configJsonOf(config: DynamicConfig): ConfigJson {
    if (this.configJsonMemo?.config !== config) this.configJsonMemo = { config, json: configJson(config) };
    return this.configJsonMemo.json;
  }

  private watchdogView(): HaView['watchdog'] {
    return this.opts.leaseGuard.readiness({ ttl: this.config.timing.ttl, loopWait: this.config.timing.loopWait });
  }

  /**
   * A bad /config is refused whole (one warning) and the last good one stays in force; so
   * is one the validator itself chokes on, so no document can stop the loop.
   */
  private followConfig(data: unknown, modifyVersion: string | undefined): void {
    let update;
    try {
      update = this.configTracker.update(data, modifyVersion);
    } catch (error) {
      this.logger.error(`Ignoring the dynamic configuration in the DCS: it could not be read (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    this.config = update.config;
    this.opts.dcs.setTiming(this.config.timing);
    if (update.kind === 'applied') this.publishConfig();
  }

  private publishConfig(): void {
    for (const listener of [...this.configListeners]) {
      try {
        listener(this.config);
      } catch (error) {
        this.logger.error(`a configuration listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Peers are asked only when their answer can matter: the leader race (unlocked), or a
   * lock holder weighing a voluntary demotion (a /failover request, a crash, a slow start).
   */
  /**
   * Whether this node held the lock at its last read and `name` was not among the
   * members then: a replica that joined or came back. Its replication slot is created in
   * the leader's cycle and it cannot stream before, so that cycle should not wait for
   * loop_wait. Once read, the member is known and its later writes wake nothing.
   */
  private leadsWithout(name: string): boolean {
    const cluster = this.lastCluster;
    if (!cluster || cluster.leader?.name !== this.opts.node.name) return false;
    return !cluster.members.some((m) => m.name === name);
  }

  private wantsPeers(cluster: Cluster, running: boolean, state: string): boolean {
    if (!cluster.leader) return true;
    if (cluster.leader.name !== this.opts.node.name) return false;
    const failover = cluster.failover && (cluster.failover.leader || cluster.failover.candidate);
    return Boolean(failover) || !running || state === 'starting' || this.tasks.current?.kind === 'crash-recovery';
  }

  /** Every other member we know of (the last led snapshot, /failsafe, this one), by api_url. */
  private async fetchPeers(cluster: Cluster): Promise<ReadonlyMap<string, PeerStatus>> {
    const targets = new Map<string, string>();
    const add = (m: Pick<Member, 'name' | 'data'>): void => {
      if (m.name !== this.opts.node.name && typeof m.data.api_url === 'string' && m.data.api_url) targets.set(m.name, m.data.api_url);
    };
    for (const m of this.oldCluster?.members ?? []) add(m);
    for (const [name, url] of Object.entries(cluster.failsafe ?? {})) add({ name, data: { api_url: url } });
    for (const m of cluster.members) add(m);
    return fetchPeerStatuses(this.opts.peers.fetchStatus, this.opts.clock, targets);
  }

}

/**
 * The cycle started from `before` and produced `cycle`; meanwhile tasks may have moved
 * `live` on. Keys the cycle changed take the cycle's value; others keep the live one.
 */
function mergeMemory(before: HaMemory, cycle: HaMemory, live: HaMemory): HaMemory {
  const out: Record<string, unknown> = { ...live };
  for (const key of Object.keys(cycle) as (keyof HaMemory)[]) {
    if (cycle[key] !== before[key]) out[key] = cycle[key];
  }
  return out as unknown as HaMemory;
}

/**
 * A finished task wakes the loop, except a rewind that will be retried (the source has not
 * checkpointed since its promotion, or is unreachable): that waits for the next regular
 * cycle, or the loop would spin until the source is ready.
 */
function wakesEarly(r: TaskResult): boolean {
  return !rewindRetryable(r);
}

/** The pause between cycle starts; never below 100 ms, whatever a document says. */
function loopWaitMs(config: DynamicConfig): number {
  const ms = config.timing.loopWait * 1000;
  return Number.isFinite(ms) && ms >= 100 ? ms : 100;
}
