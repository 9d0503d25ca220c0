/**
 * A model of one PostgreSQL instance that implements PostgresController on the virtual
 * clock. It keeps what matters for HA safety: the process state, the role, the WAL
 * (timelines, LSNs), streaming from an upstream with lag, synchronous commit, promote,
 * stop modes, crash, rewind, clone, slots. Everything takes virtual time (pg-timings.ts,
 * scaled by the slow-disk factor) and honours the caller's timeout and abort signal.
 *
 * Things the engine never sees but the invariants need are exposed as plain members:
 * `isWritable()`, `acked`, `wal`, `anomalies`.
 */
import type { HistoryLine } from '../src/dcs/cluster.js';
import type { CallbackEvent } from '../src/postgres/callbacks.js';
import type {
  CloneSource,
  ConfigChangeReport,
  PostgresController,
  PostgresParameters,
  PostmasterExit,
  PromoteOptions,
  StartOptions,
  StopOptions,
  Unsubscribe,
} from '../src/postgres/controller.js';
import type { ControlData, ControllerStatus, PostgresObservation, ReplicationRow, SlotInfo } from '../src/postgres/observation.js';
import { fail, ok, type PgResult } from '../src/postgres/result.js';
import type { DivergenceVerdict, RewindOutcome, RewindSource } from '../src/postgres/rewind.js';
import type { CopyLogicalSlotsRequest, SlotPassReport, SlotPassRequest } from '../src/postgres/slots.js';
import type { CallOptions, DataDirState, Lsn, PgRole, PgState, StopMode } from '../src/postgres/types.js';
import type { FollowOutcome, FollowRequest } from '../src/postgres/upstream.js';
import type { Clock, Random, TimerHandle } from '../src/time/clock.js';
import { CommitWaiters, type SyncCheck } from './commit-waiters.js';
import { copiedDataDir, dirEndLsn, dirTimeline, freshDataDir, needsCrashRecovery, type DataDir, type ModelSlot } from './data-dir.js';
import type { Network } from './network.js';
import type { GiveUp } from './give-up.js';
import { deferred, delay, waitOp, type Deferred } from './op.js';
import type { PgModelTimings } from './pg-timings.js';
import { confirmersOf, parseSyncStandbyNames, syncStates, type StandbyProgress, type SyncRule } from './sync-rep.js';
import { appendRecord, commonPrefixLength, historyLines, currentTimeline, endLsn, isPrefixOf, streamVerdict, switchOutOf, type WalRecord } from './wal.js';

/** The other instances, found by member name (what conn_url points at). */
export interface ModelRegistry {
  get(name: string): PostgresModel | undefined;
  all(): readonly PostgresModel[];
}

export interface ModelEnv {
  readonly clock: Clock;
  readonly random: Random;
  readonly network: Network;
  readonly registry: ModelRegistry;
  readonly timings: PgModelTimings;
  /** wal_log_hints / data checksums on, and use_pg_rewind: pg_rewind works. */
  readonly rewindable: boolean;
  readonly log: (message: string) => void;
  /**
   * This standby's link: WAL it receives streams at this many bytes per ms (so lag builds
   * under bursts and a reconnecting standby catches up at this rate). Absent: unlimited.
   */
  readonly receiveBytesPerMs?: number;
}

const RELEASED: SyncCheck = () => 'released';
const KEEP_WAITING: SyncCheck = () => false;

/**
 * A bandwidth-limited walreceiver moves WAL in chunks of this much time's worth, or a
 * quarter of the backlog when that is more: fine-grained near the lag that matters
 * (maximum_lag_on_failover), few steps for a backlog of many MB.
 */
const RECEIVE_CHUNK_MS = 100;
const RECEIVE_CHUNK_OF_BACKLOG = 1 / 4;
/** A chunk needing at most this much link time lands with its delivery (a small commit: no extra instant). */
const NEGLIGIBLE_TRANSFER_MS = 1;

type Phase = 'starting' | 'running' | 'stopping';
type RunRole = 'primary' | 'replica' | 'standby_leader';

interface Proc {
  readonly incarnation: number;
  readonly pid: number;
  phase: Phase;
  role: RunRole;
  promoting: boolean;
  readonly startedAtWall: number;
  /** Resolves true once accepting connections, false if it died first. */
  readonly ready: Deferred<boolean>;
  readonly exited: Deferred<void>;
}

export interface AckedCommit {
  readonly id: string;
  readonly node: string;
  readonly lsn: Lsn;
  readonly tli: number;
  /** Acknowledged because synchronous_standby_names was satisfied (not released standalone). */
  readonly sync: boolean;
  /** The standbys that confirmed it (synchronous_standby_names as Postgres applied it); empty when not `sync`. */
  readonly confirmedBy: readonly string[];
  readonly at: number;
}

export type CommitResult = { readonly kind: 'acked'; readonly commit: AckedCommit } | { readonly kind: 'failed'; readonly reason: string };

/** A disk-bound operation in flight: base work left (at factor 1) and since when. */
interface DiskOp {
  remainingMs: number;
  since: number;
  timer: TimerHandle;
  readonly fire: () => void;
}

export class PostgresModel implements PostgresController {
  readonly memberName: string;
  private readonly env: ModelEnv;
  private dir: DataDir | null = null;
  private proc: Proc | null = null;
  private incarnation = 0;
  private state: PgState = 'stopped';
  private slowFactor = 1;
  /** Disk-bound work in flight, re-timed when the slow-disk factor changes. */
  private readonly diskOps = new Set<DiskOp>();
  private upstream: string | null = null;
  private receiver: 'streaming' | 'connecting' | 'stopped' = 'stopped';
  private receiverNote = '';
  private receiveTimer: { at: number; handle: TimerHandle } | null = null;
  /** A bandwidth-limited chunk on the wire: no other round starts until it lands. */
  private transfer: TimerHandle | null = null;
  private replayedLsn: Lsn = 0;
  private ssn = '';
  /** `ssn` parsed, kept until the setting changes: every commit and every standby flush reads it. */
  private parsedSsn: { readonly text: string; readonly rule: SyncRule } | undefined;
  private readonly waiters: CommitWaiters;
  private readonly exitListeners = new Set<(exit: PostmasterExit) => void>();
  private readonly callbackListeners = new Set<(event: CallbackEvent) => void>();
  private autoCheckpoint: TimerHandle | null = null;
  /** Commits the clients were told succeeded, in order. */
  readonly acked: AckedCommit[] = [];
  /** Told of each acknowledgement at its instant (the invariants read the DCS as it was then). */
  readonly ackListeners = new Set<(commit: AckedCommit) => void>();
  /** Things real Postgres would get wrong silently (duplicate timelines); not violations. */
  readonly anomalies: string[] = [];

  constructor(name: string, env: ModelEnv) {
    this.memberName = name;
    this.env = env;
    this.waiters = new CommitWaiters(() => this.syncCheck());
  }

  // ---- simulation-only surface -----------------------------------------------------

  /** A running primary that is not shutting down and not in recovery: it accepts writes. */
  isWritable(): boolean {
    return this.proc !== null && this.proc.phase === 'running' && this.proc.role === 'primary';
  }

  isRunningProcess(): boolean {
    return this.proc !== null;
  }

  get wal(): readonly WalRecord[] {
    return this.dir?.wal ?? [];
  }

  get sysid(): string | null {
    return this.dir?.sysid ?? null;
  }

  get flushLsn(): Lsn {
    return this.dir ? dirEndLsn(this.dir) : 0;
  }

  /** This standby's link rate in bytes per ms (undefined: unlimited). */
  get linkBytesPerMs(): number | undefined {
    return this.env.receiveBytesPerMs;
  }

  get timeline(): number {
    return this.dir ? dirTimeline(this.dir) : 0;
  }

  /**
   * Slow disk: every disk-bound operation runs `factor` times slower. Operations in flight
   * change pace with it, so a healed disk speeds them back up (an fsync-bound start begun
   * at x30 does not keep its 45 s once the disk is well again).
   */
  setSlowFactor(factor: number): void {
    if (factor === this.slowFactor) return;
    const now = this.env.clock.now();
    for (const op of this.diskOps) {
      op.remainingMs = Math.max(0, op.remainingMs - (now - op.since) / this.slowFactor);
      op.since = now;
      op.timer.cancel();
      op.timer = this.env.clock.setTimer(op.remainingMs * factor, op.fire);
    }
    this.slowFactor = factor;
  }

  /** The postmaster dies (kill -9, OOM, host crash). Flushed WAL survives. */
  crash(reason: string): void {
    if (!this.proc) return;
    this.env.log(`postgres crashed (${reason})`);
    this.exit(false, false);
  }

  /**
   * A client commits one row. Resolves when the client hears back: acknowledged (with
   * whether a synchronous standby confirmed it) or failed. `giveUp` firing is the client
   * giving up; the commit may still be durable locally, but it is not acknowledged.
   */
  async commit(id: string, giveUp?: GiveUp, bytes?: number): Promise<CommitResult> {
    if (!this.isWritable()) return { kind: 'failed', reason: 'not a writable primary' };
    const incarnation = this.proc!.incarnation;
    await this.diskDelay(this.env.timings.fsyncMs);
    if (giveUp?.aborted) return { kind: 'failed', reason: 'client gave up' };
    if (!this.isWritable() || this.proc!.incarnation !== incarnation) return { kind: 'failed', reason: 'connection lost' };
    const record = appendRecord(this.dir!.wal, 'commit', bytes === undefined ? { commitId: id } : { commitId: id, bytes });
    this.dir!.clusterState = 'in production';
    this.notifyDownstreams();
    const rule = this.syncRule();
    const outcome =
      rule.kind === 'none'
        ? ({ kind: 'acked', sync: false, confirmedBy: [] } as const)
        : await this.waiters.wait(record.lsn, giveUp);
    if (outcome.kind !== 'acked') return outcome;
    const commit: AckedCommit = { id, node: this.memberName, lsn: record.lsn, tli: record.tli, sync: outcome.sync, confirmedBy: outcome.confirmedBy, at: this.env.clock.now() };
    this.acked.push(commit);
    for (const listener of [...this.ackListeners]) listener(commit);
    return { kind: 'acked', commit };
  }

  /**
   * What the agent's REST API reads from Postgres for `GET /patroni` (Patroni queries
   * Postgres per request), synchronously; null when Postgres is not accepting connections.
   */
  apiSnapshot(): { primary: boolean; flushLsn: Lsn; replayLsn: Lsn; timeline: number; sysid: string } | null {
    const proc = this.proc;
    const dir = this.dir;
    if (!proc || !dir || proc.phase !== 'running') return null;
    const primary = proc.role === 'primary';
    const flush = dirEndLsn(dir);
    const replay = primary ? flush : Math.min(this.replayedLsn, flush);
    return { primary, flushLsn: flush, replayLsn: replay, timeline: primary ? dirTimeline(dir) : this.replayTimeline(replay), sysid: dir.sysid };
  }

  /**
   * The timeline history file `<timeline>.history` as /history lines. Not part of
   * PostgresController (the engine's TimelineHistorySource port, an interface gap).
   */
  async readTimelineHistory(timeline: number, opts?: CallOptions): Promise<PgResult<readonly HistoryLine[]>> {
    await this.query(opts);
    if (!this.dir) return fail('data-dir-unusable', 'no data directory');
    return ok(historyLines(this.dir.wal).filter(([parent]) => parent < timeline) as HistoryLine[]);
  }

  /** True while this node runs as a replica connected to `name` and streaming. */
  isStreamingFrom(name: string): boolean {
    return this.proc !== null && this.proc.phase === 'running' && this.proc.role !== 'primary' && this.upstream === name && this.receiver === 'streaming';
  }

  /** A walsender answers: running (or finishing a clean shutdown) with a data dir. */
  servesWal(): boolean {
    return this.proc !== null && this.dir !== null && (this.proc.phase === 'running' || this.proc.phase === 'stopping');
  }

  /** New WAL here: every replica streaming from us receives it after the network latency. */
  notifyDownstreams(): void {
    for (const m of this.env.registry.all()) {
      if (m !== this && m.upstream === this.memberName && m.proc?.role !== 'primary') m.scheduleReceive(this.env.timings.replicationLatencyMs);
    }
  }

  /** A standby flushed more: waiting synchronous commits may be released. */
  standbyProgressed(): void {
    this.waiters.recheck();
  }

  // ---- state ----------------------------------------------------------------------------

  status(): ControllerStatus {
    return {
      state: this.state,
      role: this.currentRole(),
      postmasterPid: this.proc?.pid ?? null,
      pendingRestart: false,
      pendingRestartReason: {},
    };
  }

  async dataDirState(opts?: CallOptions): Promise<DataDirState> {
    await this.query(opts);
    if (!this.dir) return { kind: 'empty' };
    return { kind: 'valid', sysid: this.dir.sysid, majorVersion: 15 };
  }

  async isRunning(opts?: CallOptions): Promise<boolean> {
    await this.query(opts);
    return this.proc !== null;
  }

  async observe(opts?: CallOptions): Promise<PgResult<PostgresObservation>> {
    const waited = await this.query(opts);
    if (waited !== 'done') return fail(waited, `monitoring query ${waited}`);
    const proc = this.proc;
    const dir = this.dir;
    if (!proc || !dir || proc.phase !== 'running') return fail('connection-failed', 'could not connect to PostgreSQL: not accepting connections');
    const primary = proc.role === 'primary';
    const flush = dirEndLsn(dir);
    const replay = primary ? flush : Math.min(this.replayedLsn, flush);
    const up = this.upstream ? this.env.registry.get(this.upstream) : undefined;
    return ok({
      observedAt: this.env.clock.now(),
      inRecovery: !primary,
      timeline: primary ? dirTimeline(dir) : this.replayTimeline(replay),
      walPosition: primary ? flush : Math.max(flush, replay),
      receiveLsn: primary ? null : flush,
      replayLsn: primary ? null : replay,
      replayPaused: false,
      walReceiver:
        !primary && this.receiver === 'streaming' && up
          ? {
              status: 'streaming',
              slotName: null,
              conninfo: `host=${up.memberName} port=5432 user=replicator application_name=${this.memberName}`,
              senderHost: up.memberName,
              senderPort: 5432,
              receivedTimeline: dirTimeline(dir),
            }
          : null,
      replication: primary ? this.replicationRows() : [],
      slots: [...dir.slots.values()].map(slotInfo),
      synchronousStandbyNames: this.ssn,
      synchronousCommit: 'on',
      postmasterStartedAt: proc.startedAtWall,
      checkpointTimeline: dir.checkpointTli,
      serverVersion: 150000,
    });
  }

  async controlData(opts?: CallOptions): Promise<PgResult<ControlData>> {
    const waited = await this.query(opts);
    if (waited !== 'done') return fail(waited, `pg_controldata ${waited}`);
    const dir = this.dir;
    if (!dir) return fail('data-dir-unusable', 'pg_controldata: no data directory');
    const inRecovery = dir.clusterState === 'shut down in recovery' || dir.clusterState === 'in archive recovery';
    return ok({
      sysid: dir.sysid,
      clusterState: dir.clusterState,
      checkpointLsn: dir.checkpointLsn,
      checkpointTimeline: dir.checkpointTli,
      minRecoveryLsn: inRecovery ? dirEndLsn(dir) : 0,
      minRecoveryTimeline: inRecovery ? dirTimeline(dir) : 0,
      walLogHints: dir.rewindable,
      dataChecksums: false,
      raw: { 'Database cluster state': dir.clusterState, "Latest checkpoint's TimeLineID": String(dir.checkpointTli) },
    });
  }

  onPostmasterExit(listener: (exit: PostmasterExit) => void): Unsubscribe {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  onCallback(listener: (event: CallbackEvent) => void): Unsubscribe {
    this.callbackListeners.add(listener);
    return () => this.callbackListeners.delete(listener);
  }

  // ---- creating a data directory ----------------------------------------------------------

  async bootstrap(opts?: CallOptions): Promise<PgResult> {
    if (this.dir) return fail('data-dir-unusable', 'data directory is not empty');
    if (this.proc) return fail('wrong-role', 'postgres is running');
    this.state = 'initializing new cluster';
    const waited = await waitOp(this.env.clock, this.diskDelay(this.env.timings.bootstrapMs), opts?.timeoutMs ?? 300_000, opts?.signal);
    if (waited.kind !== 'done') {
      this.state = 'initdb failed';
      return fail(waited.kind, `initdb ${waited.kind}`);
    }
    this.dir = freshDataDir(this.newSysid(), this.env.rewindable);
    this.env.log(`initdb: new cluster, system identifier ${this.dir.sysid}`);
    return this.start({ role: 'primary', timeoutMs: opts?.timeoutMs, signal: opts?.signal });
  }

  async postBootstrap(opts?: CallOptions): Promise<PgResult> {
    if (!this.isWritable()) return fail('not-running', 'post_bootstrap needs a running primary');
    const waited = await waitOp(this.env.clock, delay(this.env.clock, this.env.timings.postBootstrapMs), opts?.timeoutMs ?? 60_000, opts?.signal);
    return waited.kind === 'done' ? ok() : fail(waited.kind, `post_bootstrap ${waited.kind}`);
  }

  async clone(source: CloneSource, opts?: CallOptions): Promise<PgResult<{ readonly method: string }>> {
    if (this.proc) return fail('data-dir-unusable', 'cannot clone over a running postgres');
    if (!source.upstream) return fail('no-method', 'no replica creation method works without a leader');
    const name = source.upstream.name;
    this.state = 'creating replica';
    this.dir = null;
    const reachable = (): PostgresModel | undefined => {
      const up = this.env.registry.get(name);
      return up && up.servesWal() && this.env.network.canReach(this.memberName, name) ? up : undefined;
    };
    if (!reachable()) {
      this.state = 'stopped';
      return fail('command-failed', `pg_basebackup: could not connect to ${name}`);
    }
    const waited = await waitOp(this.env.clock, this.diskDelay(this.env.timings.cloneMs), opts?.timeoutMs ?? 3_600_000, opts?.signal);
    const up = reachable();
    this.state = 'stopped';
    if (waited.kind !== 'done') return fail(waited.kind, `pg_basebackup ${waited.kind}`);
    if (!up || !up.dir) return fail('command-failed', `pg_basebackup: lost the connection to ${name}`);
    if (this.proc || this.dir) return fail('data-dir-unusable', 'data directory changed during the clone');
    this.dir = copiedDataDir(up.dir, this.env.rewindable);
    this.env.log(`cloned from ${name} at ${hex(dirEndLsn(this.dir))} tli ${dirTimeline(this.dir)}`);
    return ok({ method: 'basebackup' });
  }

  async removeDataDirectory(opts?: CallOptions): Promise<PgResult> {
    if (this.proc) return fail('data-dir-unusable', 'postgres is running on this data directory');
    await this.query(opts);
    this.dir = null;
    this.env.log('data directory removed');
    return ok();
  }

  async moveDataDirectoryAside(opts?: CallOptions): Promise<PgResult<{ readonly movedTo: string | null }>> {
    if (this.proc) return fail('data-dir-unusable', 'postgres is running on this data directory');
    await this.query(opts);
    const had = this.dir !== null;
    this.dir = null;
    if (had) this.env.log('data directory moved aside');
    return ok({ movedTo: had ? 'data_aside' : null });
  }

  // ---- process ------------------------------------------------------------------------------

  async start(opts?: StartOptions): Promise<PgResult> {
    const dir = this.dir;
    if (!dir) return fail('data-dir-unusable', 'no data directory');
    let proc = this.proc;
    if (proc && proc.phase === 'stopping') await proc.exited.promise;
    proc = this.proc;
    if (!proc) {
      const role: RunRole = opts?.role ?? (dir.standbySignal ? 'replica' : 'primary');
      dir.standbySignal = role !== 'primary';
      this.upstream = role === 'primary' ? null : (opts?.upstream?.name ?? null);
      proc = this.spawn(role, dir);
      if (!opts?.blockCallbacks) this.fireCallback('on_start');
    }
    const waited = await waitOp(this.env.clock, proc.ready.promise, opts?.timeoutMs ?? this.env.timings.pgCtlTimeoutMs, opts?.signal);
    if (waited.kind !== 'done') return fail(waited.kind, `start ${waited.kind}; postgres is still starting`);
    return waited.value ? ok() : fail('start-failed', 'postmaster exited during start-up');
  }

  async stop(mode: StopMode, opts?: StopOptions): Promise<PgResult> {
    const proc = this.proc;
    if (!proc) return ok();
    if (proc.phase === 'stopping') {
      const waited = await waitOp(this.env.clock, proc.exited.promise, opts?.timeoutMs ?? this.env.timings.pgCtlTimeoutMs, opts?.signal);
      return waited.kind === 'done' ? ok() : fail('stop-failed', 'postgres is still stopping');
    }
    const checkpoint = opts?.checkpoint ?? mode !== 'immediate';
    if (checkpoint && proc.phase === 'running') {
      // Still writable during this CHECKPOINT: it only shortens the shutdown checkpoint.
      await this.checkpoint({ timeoutMs: opts?.timeoutMs, signal: opts?.signal });
      if (this.proc !== proc) return ok();
    }
    this.state = 'stopping';
    proc.phase = 'stopping';
    this.waiters.failAll('terminating connection due to administrator command');
    opts?.onSafepoint?.();
    const dir = this.dir!;
    const exited = (): void => {
      if (this.proc === proc) this.exit(true, mode !== 'immediate');
    };
    let timer: TimerHandle;
    if (mode === 'immediate') {
      timer = this.env.clock.setTimer(this.env.timings.stopImmediateMs, exited);
    } else {
      if (proc.role === 'primary' && proc.ready.settled) {
        // Walsenders send everything up to the shutdown checkpoint before exiting.
        appendRecord(dir.wal, 'shutdown-checkpoint');
        this.notifyDownstreams();
      }
      timer = this.diskTimer(this.env.timings.stopFastMs, exited);
    }
    const waited = await waitOp(this.env.clock, proc.exited.promise, opts?.timeoutMs ?? this.env.timings.pgCtlTimeoutMs, opts?.signal);
    if (waited.kind !== 'done' && this.proc === proc) {
      // pg_ctl gave up: escalate to SIGKILL of the whole process group.
      timer.cancel();
      this.env.log(`stop ${mode} timed out: killing the postmaster`);
      this.exit(true, false);
    }
    if (!opts?.blockCallbacks) this.fireCallback('on_stop');
    return ok();
  }

  async restart(opts?: StartOptions): Promise<PgResult> {
    this.state = 'restarting';
    const stopped = await this.stop('fast', { blockCallbacks: true, timeoutMs: opts?.timeoutMs, signal: opts?.signal });
    if (!stopped.ok) return stopped;
    const started = await this.start({ ...opts, blockCallbacks: true });
    if (started.ok && !opts?.blockCallbacks) this.fireCallback('on_restart');
    if (!started.ok) this.state = `restart failed (${this.state})`;
    return started;
  }

  async reload(opts?: CallOptions): Promise<PgResult> {
    await this.query(opts);
    if (!this.proc) return fail('not-running', 'postgres is not running');
    this.fireCallback('on_reload');
    return ok();
  }

  async promote(opts?: PromoteOptions): Promise<PgResult> {
    const proc = this.proc;
    if (!proc || proc.phase !== 'running') return fail('not-running', 'cannot promote: postgres is not running');
    if (proc.role === 'primary') return ok();
    // pre_promote: the cancellable part.
    const pre = await waitOp(this.env.clock, delay(this.env.clock, this.env.timings.prePromoteMs), opts?.timeoutMs ?? 60_000, opts?.signal);
    if (pre.kind !== 'done') return fail(pre.kind, `promote ${pre.kind} before pg_ctl promote`);
    if (this.proc !== proc || proc.phase !== 'running') return fail('not-running', 'postgres stopped before promote');
    if ((proc.role as RunRole) === 'primary') return ok();
    if (!proc.promoting) {
      proc.promoting = true;
      this.env.log('pg_ctl promote');
      this.stopReceiver();
      this.diskTimer(this.env.timings.promoteMs, () => this.finishPromote(proc));
      this.fireCallback('on_role_change');
    }
    const done = new Promise<void>((resolve) => {
      const poll = (): void => {
        if (this.proc !== proc || proc.role === 'primary') resolve();
        else this.env.clock.setTimer(100, poll);
      };
      poll();
    });
    const waited = await waitOp(this.env.clock, done, opts?.waitMs ?? opts?.timeoutMs ?? 10_000);
    if (this.proc !== proc) return fail('not-running', 'postgres exited while promoting');
    if (waited.kind !== 'done') return fail('timeout', 'promotion signalled but not yet in production');
    return ok();
  }

  async follow(request: FollowRequest, opts?: CallOptions): Promise<PgResult<FollowOutcome>> {
    if (!this.dir) return fail('data-dir-unusable', 'no data directory');
    const role = request.role ?? 'replica';
    const upstream = request.upstream;
    if (!this.proc) {
      const r = await this.start({ role, upstream, blockCallbacks: true, timeoutMs: opts?.timeoutMs, signal: opts?.signal });
      return r.ok ? ok<FollowOutcome>('started') : r;
    }
    if (this.proc.role === 'primary' || this.proc.promoting) {
      if (request.restartIfNeeded === false) return fail('wrong-role', 'a primary must restart to follow');
      const r = await this.restart({ role, upstream, blockCallbacks: true, timeoutMs: opts?.timeoutMs, signal: opts?.signal });
      if (r.ok) this.fireCallback('on_role_change');
      return r.ok ? ok<FollowOutcome>('restarted') : r;
    }
    await this.query(opts);
    if (!this.proc) return fail('not-running', 'postgres exited');
    this.proc.role = role;
    const name = upstream?.name ?? null;
    if (name === this.upstream) return ok<FollowOutcome>('unchanged');
    // PG13+: primary_conninfo is reloadable; the walreceiver reconnects.
    this.upstream = name;
    this.stopReceiver();
    if (name) this.scheduleReceive(0);
    return ok<FollowOutcome>('reloaded');
  }

  async checkpoint(opts?: CallOptions): Promise<PgResult> {
    const proc = this.proc;
    if (!proc || proc.phase !== 'running') return fail('not-running', 'CHECKPOINT needs a running postgres');
    this.env.log('CHECKPOINT');
    const waited = await waitOp(this.env.clock, this.diskDelay(this.env.timings.checkpointMs), opts?.timeoutMs ?? 600_000, opts?.signal);
    if (waited.kind !== 'done') return fail(waited.kind, `CHECKPOINT ${waited.kind}`);
    if (this.proc !== proc) return fail('not-running', 'postgres exited during CHECKPOINT');
    this.completeCheckpoint();
    return ok();
  }

  // ---- configuration ----------------------------------------------------------------------

  /**
   * A reload that changes nothing the model keeps: neither parameters nor client
   * authentication (`opts.files`: pg_hba, pg_ident, recovery_conf) are modelled, but the
   * engine's path to this call is the real one.
   */
  async applyParameters(_parameters: PostgresParameters, opts?: Parameters<PostgresController['applyParameters']>[1]): Promise<PgResult<ConfigChangeReport>> {
    await this.query(opts);
    return ok({ reloaded: [], pendingRestart: {}, rejected: [] });
  }

  async setSynchronousStandbyNames(value: string | null, opts?: CallOptions): Promise<PgResult> {
    await this.query(opts);
    const next = value ?? '';
    if (next !== this.ssn) this.env.log(`synchronous_standby_names = '${next}'`);
    this.ssn = next;
    // Emptying it releases every waiting backend: those commits count as acknowledged.
    if (parseSyncStandbyNames(next).kind === 'none') this.waiters.releaseAll();
    else this.waiters.recheck();
    return ok();
  }

  // ---- rewind -------------------------------------------------------------------------------

  async canRewind(opts?: CallOptions): Promise<PgResult> {
    await this.query(opts);
    if (!this.dir) return fail('data-dir-unusable', 'no data directory');
    return this.dir.rewindable ? ok() : fail('not-rewindable', 'neither wal_log_hints nor data checksums are on');
  }

  /**
   * The same judgement as the real controller (src/postgres/local/divergence.ts): our
   * position from the control file when stopped (an unclean one must recover first), or
   * from the running standby itself (the timeline it streams on, else the one it replays,
   * and the furthest WAL it has); the leader's timeline and history; then timelines and
   * the switch point decide. Ground truth (which records are shared) is not consulted:
   * Postgres cannot see it either.
   */
  async checkDivergence(leader: RewindSource, opts?: CallOptions): Promise<PgResult<DivergenceVerdict>> {
    await this.query(opts);
    const dir = this.dir;
    if (!dir) return fail('data-dir-unusable', 'no data directory');
    const local = this.divergencePosition(dir);
    if (!local.ok) return local;
    const { tli: myTli, lsn: myLsn } = local.value;
    const up = this.reachableUpstream(leader.name);
    if (!up || !up.dir) return fail('connection-failed', `could not connect to ${leader.name}`);
    if (!up.isWritable()) return fail('wrong-role', `${leader.name} is in recovery`);
    const theirs = up.dir.wal;
    const theirTli = currentTimeline(theirs);
    if (myTli > theirTli) return ok({ needed: true, reason: `local timeline ${myTli} is ahead of the leader's ${theirTli}` });
    if (myTli === theirTli) return ok({ needed: false, reason: `same timeline ${myTli}` });
    const switchLsn = switchOutOf(theirs, myTli);
    if (switchLsn === undefined) return ok({ needed: true, reason: `timeline ${myTli} is not in the leader's history` });
    // A shutdown checkpoint sits exactly at the switch when the new leader received it.
    const needed = myLsn > switchLsn;
    return ok({ needed, reason: `local ${hex(myLsn)} on timeline ${myTli}, leader switched at ${hex(switchLsn)}` });
  }

  /** Where we are, as the real check reads it (control file, or the running standby). */
  private divergencePosition(dir: DataDir): PgResult<{ tli: number; lsn: Lsn }> {
    const proc = this.proc;
    if (proc) {
      if (proc.phase !== 'running') return fail('connection-failed', 'could not connect to PostgreSQL: not accepting connections');
      if (proc.role === 'primary') return fail('wrong-role', 'a running primary does not check for divergence: it is the one others follow');
      const flush = dirEndLsn(dir);
      const replay = Math.min(this.replayedLsn, flush);
      // Not streaming: the real check reads the last restartpoint's timeline; the model
      // takes restartpoints as immediate, so that is the replayed one.
      const tli = this.receiver === 'streaming' ? dirTimeline(dir) : this.replayTimeline(replay);
      return ok({ tli, lsn: Math.max(flush, replay) });
    }
    if (dir.clusterState === 'shut down in recovery') return ok({ tli: dirTimeline(dir), lsn: dirEndLsn(dir) });
    if (dir.clusterState === 'shut down') return ok({ tli: dir.checkpointTli, lsn: dir.checkpointLsn });
    return fail('not-ready', `the data directory was not shut down cleanly ("${dir.clusterState}"): run crash recovery first`);
  }

  async rewind(leader: RewindSource, opts?: CallOptions): Promise<PgResult<RewindOutcome>> {
    const dir = this.dir;
    if (!dir) return fail('data-dir-unusable', 'no data directory');
    if (!dir.rewindable) return fail('not-rewindable', 'neither wal_log_hints nor data checksums are on');
    const source = this.reachableUpstream(leader.name);
    if (!source || !source.dir) return fail('connection-failed', `could not connect to ${leader.name}`);
    if (!source.isWritable()) return fail('wrong-role', `${leader.name} is in recovery`);
    if (leader.checkpointedAfterPromote === false || source.dir.checkpointTli < dirTimeline(source.dir)) {
      return fail('not-ready', `${leader.name} has not checkpointed since its promotion`);
    }
    if (this.proc) await this.stop('fast', { checkpoint: false, blockCallbacks: true, timeoutMs: opts?.timeoutMs });
    if (needsCrashRecovery(dir)) {
      const rec = await this.crashRecovery(opts);
      if (!rec.ok) return rec;
    }
    const waited = await waitOp(this.env.clock, this.diskDelay(this.env.timings.rewindMs), opts?.timeoutMs ?? 3_600_000, opts?.signal);
    if (waited.kind !== 'done') return fail(waited.kind, `pg_rewind ${waited.kind}`);
    const now = this.reachableUpstream(leader.name);
    // pg_rewind exits non-zero; the source is then found unreachable, which the engine
    // retries (Patroni checks the leader after a failed rewind), unlike a real failure.
    if (!now || !now.dir || !now.isWritable()) return fail('connection-failed', `pg_rewind: lost the connection to ${leader.name}`);
    if (this.proc || this.dir !== dir) return fail('data-dir-unusable', 'data directory changed during pg_rewind');
    if (dirTimeline(dir) === dirTimeline(now.dir)) {
      this.env.log('pg_rewind: source and target cluster are on the same timeline; no rewind required');
      return ok<RewindOutcome>('rewound');
    }
    const common = commonPrefixLength(dir.wal, now.dir.wal);
    const lost = dir.wal.length - common;
    // Blocks changed since the divergence come from the source; recovery replays its WAL.
    dir.wal = now.dir.wal.slice();
    dir.standbySignal = true;
    dir.clusterState = 'in archive recovery';
    this.env.log(`pg_rewind from ${leader.name}: dropped ${lost} divergent records, now tli ${dirTimeline(dir)}`);
    return ok<RewindOutcome>('rewound');
  }

  async crashRecovery(opts?: CallOptions): Promise<PgResult> {
    const dir = this.dir;
    if (!dir) return fail('data-dir-unusable', 'no data directory');
    if (this.proc) return fail('wrong-role', 'postgres is running');
    if (!needsCrashRecovery(dir)) return ok();
    const waited = await waitOp(this.env.clock, this.diskDelay(this.env.timings.crashRecoveryMs), opts?.timeoutMs ?? 3_600_000, opts?.signal);
    if (waited.kind !== 'done') return fail(waited.kind, `single-user crash recovery ${waited.kind}`);
    if (this.proc) return fail('wrong-role', 'postgres started during crash recovery');
    // Single-user mode removes the recovery signal and ends with a clean shutdown.
    dir.clusterState = 'shut down';
    dir.checkpointLsn = dirEndLsn(dir);
    this.env.log('crash recovery in single-user mode finished');
    return ok();
  }

  // ---- slots -------------------------------------------------------------------------------

  async syncSlots(request: SlotPassRequest, opts?: CallOptions): Promise<PgResult<SlotPassReport>> {
    await this.query(opts);
    const dir = this.dir;
    if (!dir || !this.proc) return fail('not-running', 'postgres is not running');
    const created: string[] = [];
    const advanced: string[] = [];
    const dropped: string[] = [];
    for (const want of request.desired) {
      const have = dir.slots.get(want.name);
      if (!have) {
        dir.slots.set(want.name, {
          name: want.name,
          type: want.type,
          database: want.type === 'logical' ? want.database : null,
          plugin: want.type === 'logical' ? want.plugin : null,
          restartLsn: dirEndLsn(dir),
        });
        created.push(want.name);
      } else if (want.advanceTo !== undefined && (have.restartLsn ?? 0) < want.advanceTo) {
        have.restartLsn = Math.min(want.advanceTo, dirEndLsn(dir));
        advanced.push(want.name);
      }
    }
    if (request.dropUndesired) {
      const wanted = new Set(request.desired.map((d) => d.name));
      for (const name of [...dir.slots.keys()]) {
        const ignored = request.ignore?.some((r) => r.name === undefined || r.name === name);
        if (!wanted.has(name) && !ignored) {
          dir.slots.delete(name);
          dropped.push(name);
        }
      }
    }
    return ok({ created, advanced, dropped, deferred: [] });
  }

  /** The model does not keep slot state files: the copy just makes the slots exist. */
  async copyLogicalSlots(request: CopyLogicalSlotsRequest, opts?: CallOptions): Promise<PgResult<{ copied: string[] }>> {
    await this.query(opts);
    const dir = this.dir;
    if (!dir || !this.proc) return fail('not-running', 'postgres is not running');
    for (const s of request.slots) {
      dir.slots.set(s.name, { name: s.name, type: 'logical', database: s.database, plugin: s.plugin, restartLsn: dirEndLsn(dir) });
    }
    return ok({ copied: request.slots.map((s) => s.name) });
  }

  async close(): Promise<void> {
    // Postgres outlives the agent; nothing to do.
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Runs `fn` after `ms` of disk work at the current (and any later) slow-disk pace. */
  private diskTimer(ms: number, fn: () => void): TimerHandle {
    const op: DiskOp = {
      remainingMs: ms,
      since: this.env.clock.now(),
      fire: () => {
        this.diskOps.delete(op);
        fn();
      },
      timer: { cancel() {} },
    };
    op.timer = this.env.clock.setTimer(ms * this.slowFactor, op.fire);
    this.diskOps.add(op);
    return {
      cancel: () => {
        op.timer.cancel();
        this.diskOps.delete(op);
      },
    };
  }

  private diskDelay(ms: number): Promise<void> {
    return new Promise<void>((resolve) => void this.diskTimer(ms, resolve));
  }

  /** A short query round-trip (monitoring, pg_controldata, reload). */
  private async query(opts?: CallOptions): Promise<'done' | 'timeout' | 'aborted'> {
    const waited = await waitOp(this.env.clock, delay(this.env.clock, this.env.timings.queryMs), opts?.timeoutMs ?? 5000, opts?.signal);
    return waited.kind;
  }

  private currentRole(): PgRole {
    if (!this.dir) return 'uninitialized';
    const proc = this.proc;
    if (proc) {
      if (proc.promoting && proc.role !== 'primary') return 'promoted';
      return proc.role;
    }
    return this.dir.standbySignal ? 'replica' : 'primary';
  }

  private spawn(role: RunRole, dir: DataDir): Proc {
    const proc: Proc = {
      incarnation: ++this.incarnation,
      pid: 1000 + Math.floor(this.env.random() * 60_000),
      phase: 'starting',
      role,
      promoting: false,
      startedAtWall: this.env.clock.wallNow(),
      ready: deferred<boolean>(),
      exited: deferred<void>(),
    };
    this.proc = proc;
    this.state = 'starting';
    const recovery = needsCrashRecovery(dir) ? this.env.timings.crashRecoveryMs : 0;
    this.env.log(`postgres starting as ${role}${this.upstream ? ` following ${this.upstream}` : ''}${recovery ? ' (crash recovery first)' : ''}`);
    this.diskTimer(this.env.timings.startMs + recovery, () => {
      if (this.proc !== proc || proc.phase !== 'starting') return;
      proc.phase = 'running';
      this.state = 'running';
      dir.clusterState = role === 'primary' ? 'in production' : 'in archive recovery';
      this.replayedLsn = dirEndLsn(dir);
      this.env.log(`postgres running as ${role} on tli ${dirTimeline(dir)} at ${hex(dirEndLsn(dir))}`);
      proc.ready.resolve(true);
      if (role !== 'primary' && this.upstream) this.scheduleReceive(0);
    });
    return proc;
  }

  /** The postmaster is gone. `expected`: we stopped it; `clean`: a shutdown checkpoint was written. */
  private exit(expected: boolean, clean: boolean): void {
    const proc = this.proc;
    if (!proc) return;
    const dir = this.dir;
    this.proc = null;
    this.stopReceiver();
    this.autoCheckpoint?.cancel();
    this.autoCheckpoint = null;
    this.waiters.failAll('server closed the connection unexpectedly');
    if (dir && clean) {
      dir.clusterState = proc.role === 'primary' && !proc.promoting ? 'shut down' : 'shut down in recovery';
      dir.checkpointLsn = dirEndLsn(dir);
      dir.checkpointTli = dirTimeline(dir);
    } else if (dir && proc.phase === 'starting' && !needsCrashRecovery(dir)) {
      // Died before it ever wrote anything: the control file still says shut down.
    } else if (dir) {
      dir.clusterState = proc.role === 'primary' ? 'in production' : 'in archive recovery';
    }
    this.state = expected ? 'stopped' : 'crashed';
    this.env.log(expected ? `postgres stopped${clean ? '' : ' (immediate)'}` : 'postmaster exited unexpectedly');
    proc.ready.resolve(false);
    proc.exited.resolve();
    for (const l of [...this.exitListeners]) l({ pid: proc.pid, expected });
  }

  private finishPromote(proc: Proc): void {
    const dir = this.dir;
    if (this.proc !== proc || proc.phase !== 'running' || !dir || proc.role === 'primary') return;
    const parentTli = dirTimeline(dir);
    const switchLsn = dirEndLsn(dir);
    appendRecord(dir.wal, 'timeline-switch', { tli: this.nextTimeline(parentTli), parentTli, switchLsn });
    proc.role = 'primary';
    proc.promoting = false;
    this.upstream = null;
    this.replayedLsn = dirEndLsn(dir);
    dir.standbySignal = false;
    dir.clusterState = 'in production';
    this.env.log(`promoted: tli ${parentTli} -> ${dirTimeline(dir)} at ${hex(switchLsn)}`);
    // Fast promotion: the end-of-recovery checkpoint runs in the background.
    this.autoCheckpoint = this.diskTimer(this.env.timings.autoCheckpointAfterPromoteMs, () => {
      if (this.proc === proc) this.completeCheckpoint();
    });
    this.notifyDownstreams();
    this.waiters.recheck();
  }

  /** Postgres picks 1 + the highest timeline it knows of; it only knows its own history. */
  private nextTimeline(current: number): number {
    return current + 1;
  }

  private completeCheckpoint(): void {
    const dir = this.dir;
    const proc = this.proc;
    if (!dir || !proc) return;
    if (proc.role === 'primary') {
      appendRecord(dir.wal, 'checkpoint');
      this.notifyDownstreams();
    }
    dir.checkpointLsn = dirEndLsn(dir);
    dir.checkpointTli = dirTimeline(dir);
  }

  private replicationRows(): ReplicationRow[] {
    const standbys = this.connectedStandbys();
    const states = syncStates(this.syncRule(), standbys);
    return standbys.map((s, i) => ({
      pid: 50_000 + i,
      applicationName: s.name,
      state: 'streaming',
      syncState: states.get(s.name) ?? 'async',
      sentLsn: s.flushLsn,
      writeLsn: s.flushLsn,
      flushLsn: s.flushLsn,
      replayLsn: this.env.registry.get(s.name)?.replayedLsn ?? s.flushLsn,
    }));
  }

  /** Standbys streaming from us right now (and reachable), with what they have flushed. */
  private connectedStandbys(): StandbyProgress[] {
    // A loop, not filter + map: every waiting commit asks again at each standby flush.
    const out: StandbyProgress[] = [];
    for (const m of this.env.registry.all()) {
      if (m !== this && m.isStreamingFrom(this.memberName) && this.env.network.canReach(m.memberName, this.memberName)) out.push({ name: m.memberName, flushLsn: m.flushLsn });
    }
    return out;
  }

  private syncRule(): SyncRule {
    if (this.parsedSsn?.text !== this.ssn) this.parsedSsn = { text: this.ssn, rule: parseSyncStandbyNames(this.ssn) };
    return this.parsedSsn.rule;
  }

  /** Whether a waiting commit may be acknowledged now, by its LSN (the standbys looked up once for all of them). */
  private syncCheck(): SyncCheck {
    const rule = this.syncRule();
    if (rule.kind === 'none') return RELEASED;
    if (!this.isWritable()) return KEEP_WAITING;
    const confirmers = confirmersOf(rule, this.connectedStandbys());
    return (lsn) => confirmers(lsn) || false;
  }

  private reachableUpstream(name: string): PostgresModel | undefined {
    const up = this.env.registry.get(name);
    return up && up !== this && up.servesWal() && this.env.network.canReach(this.memberName, name) ? up : undefined;
  }

  private replayTimeline(lsn: Lsn): number {
    const wal = this.dir?.wal ?? [];
    for (let i = wal.length - 1; i >= 0; i--) {
      const r = wal[i]!;
      if (r.lsn <= lsn) return r.tli;
    }
    return 0;
  }

  private stopReceiver(): void {
    this.receiveTimer?.handle.cancel();
    this.receiveTimer = null;
    this.transfer?.cancel();
    this.transfer = null;
    if (this.receiver !== 'stopped') this.receiver = 'stopped';
  }

  /** Runs the walreceiver after `ms`, unless it is already due sooner. */
  scheduleReceive(ms: number): void {
    const at = this.env.clock.now() + ms;
    if (this.receiveTimer && this.receiveTimer.at <= at) return;
    this.receiveTimer?.handle.cancel();
    this.receiveTimer = { at, handle: this.env.clock.setTimer(ms, () => this.receive()) };
  }

  /** One walreceiver round: connect if needed, fetch what the upstream has, flush it. */
  private receive(): void {
    this.receiveTimer = null;
    if (this.transfer) return; // the chunk on the wire schedules the next round when it lands
    const proc = this.proc;
    const dir = this.dir;
    if (!proc || !dir || proc.phase !== 'running' || proc.role === 'primary' || proc.promoting || !this.upstream) {
      this.receiver = 'stopped';
      return;
    }
    const up = this.reachableUpstream(this.upstream);
    const note = (why: string): void => {
      if (this.receiver !== 'connecting' || this.receiverNote !== why) this.env.log(`walreceiver: ${why}`);
      this.receiver = 'connecting';
      this.receiverNote = why;
      this.scheduleReceive(this.env.timings.receiverRetryMs);
    };
    if (!up || !up.dir) return note(`could not connect to ${this.upstream}`);
    if (up.dir.sysid !== dir.sysid) return note(`${this.upstream} has a different system identifier`);
    const verdict = streamVerdict(dir.wal, up.dir.wal);
    if (verdict === 'silent-divergence') {
      const msg = `timelines match ${this.upstream} but WAL differs at ${hex(endLsn(dir.wal))}: real Postgres would stream it`;
      if (!this.anomalies.includes(msg)) this.anomalies.push(msg);
    }
    if (verdict !== 'ok') return note(`cannot stream from ${this.upstream}: ${verdict} (local tli ${dirTimeline(dir)} at ${hex(dirEndLsn(dir))})`);
    const before = dir.wal.length;
    const rate = this.env.receiveBytesPerMs;
    const more = up.dir.wal.length > before;
    if (more && rate === undefined) this.land(proc, dir, up.dir.wal.slice(before));
    if (this.receiver !== 'streaming') this.env.log(`walreceiver: streaming from ${this.upstream} at ${hex(dirEndLsn(dir))} tli ${dirTimeline(dir)}`);
    this.receiver = 'streaming';
    this.receiverNote = '';
    if (more && rate !== undefined) this.sendChunk(proc, dir, up, before, rate);
    up.standbyProgressed();
  }

  /** One chunk (RECEIVE_CHUNK_MS at the link's rate, a share of a big backlog, at least one record); it lands after its transfer time. */
  private sendChunk(proc: Proc, dir: DataDir, up: PostgresModel, before: number, rate: number): void {
    const upWal = up.dir!.wal;
    const from = endLsn(dir.wal);
    const chunkBytes = Math.max(rate * RECEIVE_CHUNK_MS, (endLsn(upWal) - from) * RECEIVE_CHUNK_OF_BACKLOG);
    let end = before + 1;
    while (end < upWal.length && upWal[end]!.lsn - from <= chunkBytes) end++;
    const chunk = upWal.slice(before, end);
    const transferMs = Math.ceil((chunk[chunk.length - 1]!.lsn - from) / rate);
    if (transferMs <= NEGLIGIBLE_TRANSFER_MS) {
      this.land(proc, dir, chunk);
      if (end < upWal.length) this.scheduleReceive(0);
      return;
    }
    this.transfer = this.env.clock.setTimer(transferMs, () => {
      this.transfer = null;
      if (this.proc !== proc || this.dir !== dir || dir.wal.length !== before) return;
      this.land(proc, dir, chunk);
      up.standbyProgressed();
      this.scheduleReceive(0); // more may be waiting upstream
    });
  }

  /** Received WAL is flushed here: replay follows, cascaded standbys hear of it. */
  private land(proc: Proc, dir: DataDir, records: readonly WalRecord[]): void {
    for (const r of records) dir.wal.push(r);
    const flushed = dirEndLsn(dir);
    this.env.clock.setTimer(this.env.timings.replayLagMs, () => {
      if (this.proc === proc) this.replayedLsn = Math.max(this.replayedLsn, flushed);
    });
    this.notifyDownstreams();
  }

  private fireCallback(action: CallbackEvent['action']): void {
    const role = this.currentRole();
    const event: CallbackEvent = { action, role: role === 'primary' || role === 'promoted' ? 'master' : role, command: [] };
    for (const l of [...this.callbackListeners]) l(event);
  }

  private newSysid(): string {
    let s = String(7 + Math.floor(this.env.random() * 2));
    for (let i = 0; i < 18; i++) s += String(Math.floor(this.env.random() * 10));
    return s;
  }
}

export function hex(lsn: Lsn): string {
  return `${Math.floor(lsn / 2 ** 32).toString(16).toUpperCase()}/${(lsn % 2 ** 32).toString(16).toUpperCase()}`;
}

/** A slot as pg_replication_slots shows it (fields listed rather than spread: observe runs every cycle). */
function slotInfo(s: ModelSlot): SlotInfo {
  return { name: s.name, type: s.type, database: s.database, plugin: s.plugin, restartLsn: s.restartLsn, active: false, confirmedFlushLsn: null };
}
