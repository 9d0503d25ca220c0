/**
 * A small in-memory double of the controller for executor and loop tests: a role, a
 * running flag, a WAL position and a log of calls. Not the simulation model (that lives
 * in sim/); just enough state for the engine to act on.
 */
import {
  ok,
  fail,
  type ControllerStatus,
  type DataDirState,
  type PgResult,
  type PostgresObservation,
  type ControlData,
  type HaPostgres,
  type PostmasterExit,
  type StartOptions,
  type StopMode,
  type StopOptions,
  type FollowRequest,
  type UpstreamNode,
  type HistoryLine,
  type ConfigChangeReport,
  type ObserveOptions,
} from '../../src/index.js';
import { SYSID } from './fixtures.js';

export class FakePostgres implements HaPostgres {
  readonly memberName: string;
  running = true;
  role: ControllerStatus['role'] = 'replica';
  state: ControllerStatus['state'] = 'running';
  wal = 1000;
  timeline = 1;
  empty = false;
  upstream: UpstreamNode | null = null;
  vetoPromote = false;
  readonly calls: string[] = [];
  /** The `observedSince` of each observe call (null when absent): whether the engine let an earlier answer serve. */
  readonly observeSince: (number | null)[] = [];
  private exitListeners = new Set<(e: PostmasterExit) => void>();

  constructor(name: string, init: Partial<Pick<FakePostgres, 'running' | 'role' | 'wal' | 'empty'>> = {}) {
    this.memberName = name;
    Object.assign(this, init);
    if (this.empty) {
      this.running = false;
      this.role = 'uninitialized';
      this.state = 'stopped';
    }
  }

  status(): ControllerStatus {
    return { state: this.state, role: this.role, postmasterPid: this.running ? 1 : null, pendingRestart: false, pendingRestartReason: {} };
  }
  async dataDirState(): Promise<DataDirState> {
    return this.empty ? { kind: 'empty' } : { kind: 'valid', sysid: SYSID, majorVersion: 16 };
  }
  async isRunning(): Promise<boolean> {
    return this.running;
  }
  async observe(opts: ObserveOptions = {}): Promise<PgResult<PostgresObservation>> {
    this.observeSince.push(opts.observedSince ?? null);
    if (!this.running) return fail('not-running', 'not running');
    const primary = this.role === 'primary';
    return ok({
      observedAt: 0,
      inRecovery: !primary,
      timeline: this.timeline,
      walPosition: this.wal,
      receiveLsn: primary ? null : this.wal,
      replayLsn: primary ? null : this.wal,
      replayPaused: false,
      walReceiver: primary || !this.upstream ? null : { status: 'streaming', slotName: null, conninfo: null, senderHost: null, senderPort: null, receivedTimeline: 1 },
      replication: [],
      slots: [],
      synchronousStandbyNames: '',
      synchronousCommit: 'on',
      postmasterStartedAt: 0,
      checkpointTimeline: this.timeline,
      serverVersion: 150004,
    });
  }
  async controlData(): Promise<PgResult<ControlData>> {
    return ok({
      sysid: SYSID,
      clusterState: this.role === 'primary' ? 'in production' : 'shut down in recovery',
      checkpointLsn: this.wal,
      checkpointTimeline: this.timeline,
      minRecoveryLsn: 0,
      minRecoveryTimeline: 0,
      walLogHints: true,
      dataChecksums: false,
      raw: {},
    });
  }
  onPostmasterExit(listener: (e: PostmasterExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }
  crash(): void {
    this.running = false;
    this.state = 'crashed';
    for (const l of this.exitListeners) l({ pid: 1, expected: false });
  }
  async bootstrap(): Promise<PgResult> {
    this.calls.push('bootstrap');
    this.empty = false;
    this.running = true;
    this.role = 'primary';
    this.state = 'running';
    return ok();
  }
  async postBootstrap(): Promise<PgResult> {
    this.calls.push('postBootstrap');
    return ok();
  }
  async clone(source: { upstream: UpstreamNode | null }): Promise<PgResult<{ method: string }>> {
    this.calls.push(`clone:${source.upstream?.name ?? 'none'}`);
    this.empty = false;
    this.role = 'replica';
    return ok({ method: 'basebackup' });
  }
  async removeDataDirectory(): Promise<PgResult> {
    this.calls.push('removeDataDirectory');
    this.empty = true;
    return ok();
  }
  async moveDataDirectoryAside(): Promise<PgResult<{ movedTo: string | null }>> {
    this.calls.push('moveDataDirectoryAside');
    const had = !this.empty;
    this.empty = true;
    return ok({ movedTo: had ? "/data/pgdata_aside" : null });
  }
  async start(opts: StartOptions = {}): Promise<PgResult> {
    this.calls.push(`start:${opts.role ?? 'default'}`);
    this.running = true;
    this.state = 'running';
    if (opts.role) this.role = opts.role === 'standby_leader' ? 'standby_leader' : opts.role;
    this.upstream = opts.upstream ?? null;
    return ok();
  }
  async stop(mode: StopMode, _opts: StopOptions = {}): Promise<PgResult> {
    this.calls.push(`stop:${mode}`);
    this.running = false;
    this.state = 'stopped';
    return ok();
  }
  async restart(opts: StartOptions = {}): Promise<PgResult> {
    this.calls.push(`restart:${opts.role ?? 'default'}`);
    return ok();
  }
  async promote(): Promise<PgResult> {
    this.calls.push('promote');
    if (this.vetoPromote) return fail('vetoed', 'pre_promote said no');
    this.role = 'primary';
    this.timeline += 1;
    return ok();
  }
  async follow(request: FollowRequest): Promise<PgResult<'started' | 'reloaded'>> {
    this.calls.push(`follow:${request.upstream?.name ?? 'none'}`);
    const wasRunning = this.running;
    this.running = true;
    this.state = 'running';
    this.role = request.role ?? 'replica';
    this.upstream = request.upstream;
    return ok(wasRunning ? 'reloaded' : 'started');
  }
  /** The parameters handed over by applyParameters, in order. */
  readonly appliedParameters: Readonly<Record<string, string | number | boolean>>[] = [];
  async applyParameters(parameters: Readonly<Record<string, string | number | boolean>>): Promise<PgResult<ConfigChangeReport>> {
    this.calls.push('applyParameters');
    this.appliedParameters.push(parameters);
    return { ok: true, value: { reloaded: Object.keys(parameters), pendingRestart: {}, rejected: [] } };
  }

  /** What the timeline history files hold (by default none beyond timeline 1). */
  historyLines: readonly HistoryLine[] = [];
  async readTimelineHistory(timeline: number): Promise<PgResult<readonly HistoryLine[]>> {
    return { ok: true, value: timeline <= 1 ? [] : this.historyLines };
  }

  async checkpoint(): Promise<PgResult> {
    this.calls.push('checkpoint');
    return ok();
  }
  async setSynchronousStandbyNames(value: string | null): Promise<PgResult> {
    this.calls.push(`ssn:${value ?? ''}`);
    return ok();
  }
  async checkDivergence(): Promise<PgResult<{ needed: false; reason: string }>> {
    return ok({ needed: false, reason: 'same timeline' });
  }
  async rewind(): Promise<PgResult<'rewound'>> {
    this.calls.push('rewind');
    return ok('rewound');
  }
  async crashRecovery(): Promise<PgResult> {
    this.calls.push('crashRecovery');
    return ok();
  }
  async syncSlots(): Promise<PgResult<{ created: string[]; advanced: string[]; dropped: string[]; deferred: [] }>> {
    return ok({ created: [], advanced: [], dropped: [], deferred: [] });
  }
  async copyLogicalSlots(): Promise<PgResult<{ copied: string[] }>> {
    this.calls.push('copyLogicalSlots');
    return ok({ copied: [] });
  }
}
