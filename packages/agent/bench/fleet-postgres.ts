/**
 * A stand-in for PostgreSQL behind the HA engine's Postgres port, for the fleet
 * benchmark: the engine and its DCS traffic are the real ones, the database is not. It
 * keeps the little the engine reads each cycle — running or not, role, timeline, a WAL
 * position that advances on the primary as if clients wrote, which node a replica
 * follows — and does every operation at once, with success. It never crashes, diverges or
 * lags: the benchmark measures the DCS, not failover logic.
 */
import {
  ok,
  type ControlData,
  type ControllerStatus,
  type DataDirState,
  type HaPostgres,
  type HistoryLine,
  type PgResult,
  type PgRole,
  type PostgresObservation,
  type SlotInfo,
} from '@pgwarden/core';

/** The members of one simulated cluster, so a replica can read its upstream's WAL position. */
export type FleetPeers = Map<string, FleetPostgres>;

/** WAL a primary produces per second by default, as a lightly written database would. */
export const DEFAULT_WAL_BYTES_PER_SECOND = 64 * 1024;

export class FleetPostgres implements HaPostgres {
  private sysid: string | null = null;
  private running = false;
  private role: PgRole = 'uninitialized';
  private timeline = 1;
  private lsnBase = 0x3000000;
  private primarySince = 0;
  private upstream: string | null = null;
  private slots: SlotInfo[] = [];
  private startedAt = Date.now();

  constructor(
    readonly memberName: string,
    private readonly peers: FleetPeers,
    /** 0: an idle database, whose member keys stop changing once written. */
    private readonly walBytesPerSecond = DEFAULT_WAL_BYTES_PER_SECOND,
  ) {
    peers.set(memberName, this);
  }

  /** The primary's flush position grows with time; a replica's is its upstream's. */
  walPosition(): number {
    if (this.role === 'primary') return this.lsnBase + Math.floor(((Date.now() - this.primarySince) / 1000) * this.walBytesPerSecond);
    const up = this.upstream ? this.peers.get(this.upstream) : undefined;
    return up?.role === 'primary' && up.running && up.timeline === this.timeline ? up.walPosition() : this.lsnBase;
  }

  status(): ControllerStatus {
    return { state: this.running ? 'running' : 'stopped', role: this.role, postmasterPid: this.running ? 1 : null, pendingRestart: false, pendingRestartReason: {} };
  }

  async dataDirState(): Promise<DataDirState> {
    return this.sysid ? { kind: 'valid', sysid: this.sysid, majorVersion: 15 } : { kind: 'empty' };
  }

  async isRunning(): Promise<boolean> {
    return this.running;
  }

  async observe(): Promise<PgResult<PostgresObservation>> {
    const wal = this.walPosition();
    const replica = this.role !== 'primary';
    const up = this.upstream ? this.peers.get(this.upstream) : undefined;
    const streaming = replica && up?.running === true && up.role === 'primary';
    return ok({
      observedAt: performance.now(),
      inRecovery: replica,
      timeline: this.timeline,
      walPosition: wal,
      receiveLsn: replica ? wal : null,
      replayLsn: replica ? wal : null,
      replayPaused: false,
      walReceiver: streaming
        ? { status: 'streaming', slotName: this.memberName, conninfo: `host=${this.upstream}`, senderHost: this.upstream, senderPort: 5432, receivedTimeline: this.timeline }
        : null,
      replication: [...this.peers.values()]
        .filter((p) => !replica && p !== this && p.running && p.upstream === this.memberName)
        .map((p, i) => ({ pid: 1000 + i, applicationName: p.memberName, state: 'streaming', syncState: 'async', sentLsn: wal, writeLsn: wal, flushLsn: wal, replayLsn: wal })),
      slots: this.slots,
      synchronousStandbyNames: '',
      synchronousCommit: 'on',
      postmasterStartedAt: this.startedAt,
      checkpointTimeline: this.timeline,
      serverVersion: 150004,
    });
  }

  async controlData(): Promise<PgResult<ControlData>> {
    const lsn = this.walPosition();
    return ok({
      sysid: this.sysid ?? '0',
      clusterState: this.running ? (this.role === 'primary' ? 'in production' : 'in archive recovery') : this.role === 'primary' ? 'shut down' : 'shut down in recovery',
      checkpointLsn: lsn,
      checkpointTimeline: this.timeline,
      minRecoveryLsn: 0,
      minRecoveryTimeline: 0,
      walLogHints: true,
      dataChecksums: false,
      raw: {},
    });
  }

  onPostmasterExit(): () => void {
    return () => {};
  }

  async bootstrap(): Promise<PgResult> {
    this.sysid = String(7_000_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e12)));
    this.becomePrimary();
    return ok();
  }

  async postBootstrap(): Promise<PgResult> {
    return ok();
  }

  async clone(source: Parameters<HaPostgres['clone']>[0]): Promise<PgResult<{ readonly method: string }>> {
    const from = source.upstream ? this.peers.get(source.upstream.name) : undefined;
    this.sysid = from?.sysid ?? this.sysid;
    this.timeline = from?.timeline ?? 1;
    this.role = 'replica';
    return ok({ method: 'basebackup' });
  }

  async removeDataDirectory(): Promise<PgResult> {
    this.sysid = null;
    this.running = false;
    this.role = 'uninitialized';
    return ok();
  }

  async start(opts?: Parameters<HaPostgres['start']>[0]): Promise<PgResult> {
    this.running = true;
    this.startedAt = Date.now();
    if (opts?.role === 'primary') this.becomePrimary();
    else if (opts?.role) this.role = 'replica';
    if (opts?.upstream !== undefined) this.upstream = opts.upstream?.name ?? null;
    return ok();
  }

  async stop(_mode: unknown, opts?: Parameters<HaPostgres['stop']>[1]): Promise<PgResult> {
    opts?.onSafepoint?.();
    this.lsnBase = this.walPosition();
    this.running = false;
    return ok();
  }

  async restart(opts?: Parameters<HaPostgres['restart']>[0]): Promise<PgResult> {
    return this.start(opts);
  }

  async promote(): Promise<PgResult> {
    this.timeline++;
    this.becomePrimary();
    return ok();
  }

  async follow(request: Parameters<HaPostgres['follow']>[0]): Promise<PgResult<'unchanged' | 'reloaded' | 'started'>> {
    const name = request.upstream?.name ?? null;
    const was = { running: this.running, upstream: this.upstream, role: this.role };
    if (this.role === 'primary') this.lsnBase = this.walPosition();
    this.role = 'replica';
    this.upstream = name;
    this.running = true;
    if (!was.running) return ok('started');
    return ok(was.upstream === name && was.role === 'replica' ? 'unchanged' : 'reloaded');
  }

  async checkpoint(): Promise<PgResult> {
    return ok();
  }

  async setSynchronousStandbyNames(): Promise<PgResult> {
    return ok();
  }

  async checkDivergence(): Promise<PgResult<{ readonly needed: false; readonly reason: string }>> {
    return ok({ needed: false, reason: 'the fleet benchmark keeps one history' });
  }

  async rewind(): Promise<PgResult<'rewound'>> {
    return ok('rewound');
  }

  async crashRecovery(): Promise<PgResult> {
    return ok();
  }

  async syncSlots(request: Parameters<HaPostgres['syncSlots']>[0]): Promise<PgResult<{ created: string[]; advanced: string[]; dropped: string[]; deferred: never[] }>> {
    const wanted = request.desired.filter((d) => d.type === 'physical').map((d) => d.name);
    const created = wanted.filter((n) => !this.slots.some((s) => s.name === n));
    const dropped = request.dropUndesired ? this.slots.filter((s) => !wanted.includes(s.name)).map((s) => s.name) : [];
    this.slots = wanted.map((name) => ({ name, type: 'physical', plugin: null, database: null, active: true, restartLsn: this.walPosition(), confirmedFlushLsn: null }));
    return ok({ created, advanced: [], dropped, deferred: [] });
  }

  /** The fleet keeps no logical slots: nothing to copy. */
  async copyLogicalSlots(): Promise<PgResult<{ copied: string[] }>> {
    return ok({ copied: [] });
  }

  async readTimelineHistory(): Promise<PgResult<readonly HistoryLine[]>> {
    return ok([]);
  }

  async applyParameters(): Promise<PgResult<{ reloaded: string[]; pendingRestart: Record<string, never>; rejected: string[] }>> {
    return ok({ reloaded: [], pendingRestart: {}, rejected: [] });
  }

  private becomePrimary(): void {
    this.lsnBase = this.walPosition();
    this.role = 'primary';
    this.upstream = null;
    this.running = true;
    this.primarySince = Date.now();
  }
}
