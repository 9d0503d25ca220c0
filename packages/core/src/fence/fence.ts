import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import { PostmasterPidCache } from '../postgres/local/postmaster-pid.js';
import { bootTimeCs, monotonicToBootCs, startTicks } from './boot-clock.js';
import { defaultGuardScript, GuardFiles, isSameProcess, spawnGuard, wake, type GuardState, type ProcRef } from './guard-process.js';
import { defaultFenceStateDir } from './state-dir.js';
import { markSeen, ReportTail, unseenStop, type FireReason, type GuardEvent } from './report.js';

/**
 * What the HA loop calls. The fence keeps a writable primary from outliving its
 * leader lock when the agent itself cannot run: a guard process outside the agent stops
 * Postgres at `validUntil - margin` unless a newer heartbeat moved that deadline.
 */
export interface FenceControl {
  /**
   * After every `held` outcome of acquire/refresh (and every failsafe-kept cycle, with the
   * failsafe consent's end) while Postgres runs as primary: arm, or move the deadline.
   * `postmasterPid` is the controller's, checked against postmaster.pid and its start time.
   */
  arm(validUntil: number, postmasterPid?: number | null): Promise<void>;
  /**
   * On demotion — at the stop's `onSafepoint`, once no backend can report a commit (where
   * Patroni disables its watchdog) — when entering pause, and when Postgres is not primary.
   */
  disarm(reason: string): Promise<void>;
  state(): FenceState;
  /**
   * How long before the lock's validUntil the guard acts. Unlike state(), reads no file:
   * the HA loop asks every cycle.
   */
  marginMs(): number;
  /**
   * Whether the last state written for the guard was armed. Unlike state(), does not read
   * the guard's report first, so a guard that fired since still counts as armed here; the
   * next arm() or disarm() reads the report.
   */
  sentArmed(): boolean;
}

/** The agent's side: lifecycle around the HA loop's FenceControl. */
export interface FenceHandle extends FenceControl {
  start(options: FenceStartOptions): Promise<void>;
  shutdown(): Promise<void>;
  detach(): void;
}

export interface FenceState {
  readonly enabled: boolean;
  readonly armed: boolean;
  /** Monotonic ms at which the guard acts (validUntil − margin), while armed. */
  readonly deadline: number | null;
  readonly validUntil: number | null;
  readonly marginMs: number;
  readonly guardPid: number | null;
  /** How many times a guard stopped Postgres since this agent started. */
  readonly fencedCount: number;
  readonly lastFence: FenceReport | null;
}

export interface FenceReport {
  readonly why: FireReason;
  /** `fast`, `immediate`, `kill`, `none` (postmaster already gone), or null if unfinished. */
  readonly stop: string | null;
  readonly atWallMs: number;
}

export interface FenceStartOptions {
  readonly dataDir: string;
  /** Act this long before the lock's validUntil. Must exceed the time a stop takes. */
  readonly marginMs: number;
  /** The postmaster to guard; otherwise found through postmaster.pid at each arm. */
  readonly postmasterPid?: number;
  /** Where the guard's state/report files live (default: defaultFenceStateDir, in memory when possible). */
  readonly stateDir?: string;
  readonly guardScript?: string;
  /** How often a guard wakes without a signal, e.g. to exit once disarmed and orphaned (30 s). */
  readonly idleCheckMs?: number;
}

export interface FenceDeps {
  readonly logger: Logger;
  /** Must be the system clock: the guard reads the host's clock, not a virtual one. */
  readonly clock?: Clock;
}

export class Fence implements FenceHandle {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private opts: FenceStartOptions | null = null;
  private files: GuardFiles | null = null;
  private pidFile: PostmasterPidCache | null = null;
  private script = '';
  private guard: ProcRef | null = null;
  private agent: ProcRef | null = null;
  private tail: ReportTail | null = null;
  private watcher: FSWatcher | null = null;
  private sent: GuardState | null = null;
  private validUntil: number | null = null;
  private fenced = 0;
  private last: FenceReport | null = null;
  private pendingWhy: FireReason | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(r: FenceReport) => void>();

  constructor(deps: FenceDeps) {
    this.logger = deps.logger;
    this.clock = deps.clock ?? systemClock;
  }

  /** Spawns the guard disarmed, or adopts the live guard a previous agent left (its state kept). */
  start(options: FenceStartOptions): Promise<void> {
    return this.serial(async () => {
      if (options.marginMs <= 0) throw new Error('pgwarden fence: marginMs must be positive');
      this.opts = options;
      this.pidFile = new PostmasterPidCache(options.dataDir);
      const dir = options.stateDir ?? defaultFenceStateDir(options.dataDir);
      const files = new GuardFiles(dir);
      files.prepare();
      this.files = files;
      this.script = options.guardScript ?? defaultGuardScript();
      const ticks = await startTicks(process.pid);
      this.agent = { pid: process.pid, ticks: ticks ?? 0 };
      const old = files.readGuardRef();
      if (isSameProcess(old)) {
        this.guard = old;
        const prev = readStateFile(files.state);
        // Keep an armed deadline: this agent has not yet shown it holds the lock.
        this.sent = prev?.kind === 'armed' ? { ...prev, agent: this.agent } : { kind: 'disarmed', agent: this.agent };
        files.writeState(this.sent);
        if (old) wake(old);
        this.logger.info(`fence: adopted guard pid ${old?.pid} (${this.sent.kind})`);
      } else {
        this.reportUnseenStop(files);
        this.sent = { kind: 'disarmed', agent: this.agent };
        files.writeState(this.sent);
        this.guard = await this.spawn();
      }
      this.tail = new ReportTail(files.report);
      this.watcher = watch(files.report, { persistent: false }, () => this.drain());
      this.watcher.on('error', () => undefined);
    });
  }

  arm(validUntil: number, postmasterPid?: number | null): Promise<void> {
    return this.serial(async () => {
      const { files, opts, agent } = this.ready();
      this.drain();
      const pm = await this.postmaster(postmasterPid ?? opts.postmasterPid);
      if (!pm) {
        this.logger.warn(`fence: no live postmaster in ${opts.dataDir}; not armed`);
        return this.write(files, { kind: 'disarmed', agent });
      }
      if (!isSameProcess(this.guard)) {
        if (this.guard && this.pendingWhy === null) this.logger.warn(`fence: guard pid ${this.guard.pid} is gone; starting a new one`);
        this.sent = { kind: 'disarmed', agent };
        files.writeState(this.sent);
        this.guard = await this.spawn();
      }
      this.validUntil = validUntil;
      const deadlineCs = monotonicToBootCs(validUntil - opts.marginMs, () => this.clock.now());
      await this.write(files, { kind: 'armed', deadlineCs, pm, agent });
    });
  }

  disarm(reason: string): Promise<void> {
    return this.serial(async () => {
      const { files, agent } = this.ready();
      this.drain();
      if (this.sent?.kind === 'armed') this.logger.info(`fence: disarmed (${reason})`);
      this.validUntil = null;
      await this.write(files, { kind: 'disarmed', agent });
    });
  }

  /** Clean agent shutdown: the guard exits without touching Postgres. */
  shutdown(): Promise<void> {
    return this.serial(async () => {
      if (!this.files) return;
      this.drain();
      this.validUntil = null;
      await this.write(this.files, { kind: 'exit' });
      for (let i = 0; i < 60 && isSameProcess(this.guard); i++) await this.clock.sleep(50);
      this.close();
    });
  }

  /**
   * Stop watching but leave the guard as it is: for an agent exiting while Postgres still
   * runs as primary under our lock (a failed stop); an armed guard then fences on time.
   */
  detach(): void {
    this.close();
  }

  state(): FenceState {
    this.drain();
    const armed = this.sent?.kind === 'armed';
    const deadline = armed && this.sent?.kind === 'armed' ? this.clock.now() + (this.sent.deadlineCs - bootTimeCs()) * 10 : null;
    return {
      enabled: true,
      armed,
      deadline,
      validUntil: armed ? this.validUntil : null,
      marginMs: this.opts?.marginMs ?? 0,
      guardPid: this.guard?.pid ?? null,
      fencedCount: this.fenced,
      lastFence: this.last,
    };
  }

  marginMs(): number {
    return this.opts?.marginMs ?? 0;
  }

  sentArmed(): boolean {
    return this.sent?.kind === 'armed';
  }

  /** Called with each stop the guard reports (after the WARNING line is logged). */
  onFenced(fn: (r: FenceReport) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async write(files: GuardFiles, next: GuardState): Promise<void> {
    const prev = this.sent;
    files.writeState(next);
    this.sent = next;
    // A later deadline needs no wake-up: the guard re-reads the file when it wakes.
    const later = prev?.kind === 'armed' && next.kind === 'armed' && next.deadlineCs >= prev.deadlineCs && next.pm.pid === prev.pm.pid;
    if (!later && isSameProcess(this.guard) && this.guard) wake(this.guard);
  }

  private async spawn(): Promise<ProcRef> {
    const { files, opts } = this.ready();
    // Within the margin: fast shutdown gets half, immediate a quarter, SIGKILL the rest.
    const fastCs = Math.max(1, Math.floor(opts.marginMs / 20));
    const quitCs = Math.max(1, Math.floor(opts.marginMs / 40));
    const idleCs = Math.max(10, Math.floor((opts.idleCheckMs ?? 30_000) / 10));
    const ref = await spawnGuard(files, this.script, fastCs, quitCs, idleCs);
    this.pendingWhy = null;
    this.logger.info(`fence: guard started, pid ${ref.pid}`);
    return ref;
  }

  /** Each heartbeat names the postmaster afresh: postmaster.pid (re-read when it changed) and /proc. */
  private async postmaster(pid: number | undefined): Promise<ProcRef | null> {
    const live = await this.pidFile!.findLive();
    if (!live || (pid !== undefined && live.pid !== pid)) return null;
    return { pid: live.pid, ticks: live.startTicks };
  }

  private drain(): void {
    if (!this.tail) return;
    for (const ev of this.tail.read()) this.onEvent(ev);
  }

  private onEvent(ev: GuardEvent): void {
    if (ev.kind === 'fired') {
      this.fenced += 1;
      this.pendingWhy = ev.why;
      // The guard exits after a stop; the next arm() starts a new one.
      if (this.agent) this.sent = { kind: 'disarmed', agent: this.agent };
      this.validUntil = null;
      this.last = { why: ev.why, stop: null, atWallMs: this.clock.wallNow() };
      this.logger.warn(`fence: guard fired, ${WHY[ev.why] ?? ev.why}: stopping Postgres before the leader lock expires`, { guard: ev.line });
    } else if (ev.kind === 'done' && this.pendingWhy) {
      const report: FenceReport = { why: this.pendingWhy, stop: ev.mode, atWallMs: this.clock.wallNow() };
      this.last = report;
      this.logger.warn(`fence: guard stopped Postgres (${STOP[ev.mode] ?? ev.mode}) because ${WHY[report.why] ?? report.why}`);
      this.markSeen();
      for (const fn of this.listeners) fn(report);
    } else if (ev.kind === 'exit' && this.sent?.kind !== 'exit') {
      this.logger.info(`fence: guard exited (${ev.why})`);
    }
  }

  /**
   * The previous guard fenced while no agent was running (the agent was killed and the
   * guard acted at the deadline): nobody has logged it yet, so this agent does, and
   * counts it, since it is why this node's Postgres is found stopped.
   */
  private reportUnseenStop(files: GuardFiles): void {
    const stop = unseenStop(files.report);
    if (!stop) return;
    this.fenced += 1;
    this.last = { why: stop.why, stop: stop.mode, atWallMs: this.clock.wallNow() };
    const how = stop.mode === null ? 'a stop it may not have finished' : (STOP[stop.mode] ?? stop.mode);
    this.logger.warn(`fence: while no agent was running, the guard stopped Postgres (${how}) because ${WHY[stop.why] ?? stop.why}`);
    this.markSeen();
  }

  private markSeen(): void {
    if (!this.files) return;
    try {
      markSeen(this.files.report, bootTimeCs());
    } catch (error) {
      this.logger.warn(`fence: cannot write to ${this.files.report}: ${(error as Error).message}`);
    }
  }

  private ready(): { files: GuardFiles; opts: FenceStartOptions; agent: ProcRef } {
    if (!this.files || !this.opts || !this.agent) throw new Error('pgwarden fence: start() first');
    return { files: this.files, opts: this.opts, agent: this.agent };
  }

  private close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.drain();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const WHY: Record<string, string> = {
  'agent-stopped': 'the agent is stopped (SIGSTOP or frozen) and sent no heartbeat before the deadline',
  'agent-gone': 'the agent is gone (killed or crashed) and sent no heartbeat before the deadline',
  'heartbeat-late': 'the agent is running but its HA loop sent no heartbeat before the deadline',
};
const STOP: Record<string, string> = {
  fast: 'fast shutdown',
  immediate: 'immediate shutdown after the fast one timed out',
  kill: 'SIGKILL of the postmaster after fast and immediate timed out',
  none: 'it was already gone',
};

function readStateFile(path: string): GuardState | null {
  try {
    const f = readFileSync(path, 'utf8').trim().split(' ');
    const n = f.slice(1).map(Number);
    if (f[0] === 'armed' && n.length === 5 && n.every(Number.isFinite)) {
      return { kind: 'armed', deadlineCs: n[0]!, pm: { pid: n[1]!, ticks: n[2]! }, agent: { pid: n[3]!, ticks: n[4]! } };
    }
    return null;
  } catch {
    return null;
  }
}

/** The fence when `pgwarden.fence: off`: every call is a no-op. */
export const DISABLED_FENCE: FenceHandle = {
  start: async () => undefined,
  shutdown: async () => undefined,
  detach: () => undefined,
  arm: async () => undefined,
  disarm: async () => undefined,
  state: () => ({ enabled: false, armed: false, deadline: null, validUntil: null, marginMs: 0, guardPid: null, fencedCount: 0, lastFence: null }),
  marginMs: () => 0,
  sentArmed: () => false,
};
