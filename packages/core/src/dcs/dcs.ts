/**
 * The DCS as the HA engine uses it: Patroni's domain verbs over any adapter, each with
 * a deadline of retry_timeout and, where Patroni retries, the retry policy. Values are
 * encoded and decoded here, so every adapter writes the same bytes.
 */
import { silentLogger, type Logger } from '../logger.js';
import { systemClock, systemRandom, type Clock, type Random } from '../time/clock.js';
import type { DcsAdapter, DcsCallContext, DcsWatchEvent, WriteCondition } from './adapter.js';
import type { Cluster, HistoryLine, JsonObject, MemberData, RawEntry } from './cluster.js';
import { decodeCluster } from './codec/decode-cluster.js';
import { DecodeMemo } from './codec/decode-memo.js';
import {
  CLEARED_FAILOVER,
  encodeConfig,
  encodeFailover,
  encodeFailsafe,
  encodeHistory,
  encodeMemberData,
  encodeStatus,
  encodeSync,
  type FailoverRequest,
} from './codec/encode.js';
import type { DataKey } from './keys.js';
import type { LoadOutcome, LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from './outcomes.js';
import { callWithDeadline } from './retry.js';
import type { DcsTiming } from './timing.js';

export interface DcsOptions {
  readonly adapter: DcsAdapter;
  /** ttl, loop_wait and retry_timeout in seconds, already normalised. */
  readonly timing: DcsTiming;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  /**
   * Remembers what each key decoded to (default: one per Dcs). Clients of the same
   * cluster in one process (the simulation's nodes) may share one.
   */
  readonly decodeMemo?: DecodeMemo;
}

type Attempt<T> = (ctx: DcsCallContext) => Promise<T | Unavailable>;

export class Dcs {
  readonly adapter: DcsAdapter;
  private timing: DcsTiming;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly logger: Logger;
  private lastWarnings = new Set<string>();
  private lastStatus: string | undefined;
  /** retain_slots of the last /status written: kept when the lock is released, so the next leader keeps those slots. */
  private lastRetainSlots: readonly string[] | undefined;
  private lastFailsafe: string | undefined;
  /** Keys unchanged since the last loadCluster are not decoded again. */
  private readonly decodeMemo: DecodeMemo;
  /** While set, no call but the lock's own (acquire, refresh, release, take) runs past this instant. */
  private callsEndBy: number | null = null;
  /** When a call was last refused for want of time after a renewal (Clock.now), to log it at most once a minute. */
  private lastRefusalLoggedAt: number | null = null;

  constructor(options: DcsOptions) {
    this.adapter = options.adapter;
    this.timing = options.timing;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.logger = options.logger ?? silentLogger;
    this.decodeMemo = options.decodeMemo ?? new DecodeMemo();
  }

  /**
   * New timing from `/config`; a changed ttl goes to the adapter, whose lease follows it
   * from the next renewal, and so does a changed loop_wait (its keepalive pace).
   */
  setTiming(timing: DcsTiming): void {
    const ttlChanged = timing.ttl !== this.timing.ttl;
    const loopWaitChanged = timing.loopWait !== this.timing.loopWait;
    this.timing = timing;
    if (ttlChanged) this.adapter.setTtl?.(timing.ttl);
    if (loopWaitChanged) this.adapter.setLoopWait?.(timing.loopWait);
  }

  /**
   * Bounds every later call but the lock's own to end by `instant` (Clock.now ms), or
   * lifts the bound (null). A call with no time left is `unavailable` at once. The HA
   * executor sets it after a renewal for the rest of the cycle (post-refresh-budget.ts).
   */
  endCallsBy(instant: number | null): void {
    this.callsEndBy = instant;
  }

  /** The ttl in force (seconds). */
  get ttl(): number {
    return this.timing.ttl;
  }

  /** One read of the whole cluster. Garbage in a key is logged once and read as empty. */
  async loadCluster(options: { linearizable?: boolean } = {}): Promise<LoadOutcome> {
    const linearizable = options.linearizable ?? false;
    const read = await this.call('loadCluster', true, (ctx) => this.adapter.read(ctx, { linearizable }));
    if (read.kind === 'unavailable') return read;
    const { cluster, warnings } = decodeCluster(read.entries, this.decodeMemo);
    const current = new Set(warnings);
    for (const w of current) if (!this.lastWarnings.has(w)) this.logger.warn(w);
    this.lastWarnings = current;
    return { kind: 'loaded', cluster };
  }

  acquireLeader(): Promise<LockOutcome> {
    return this.call('acquireLeader', true, (ctx) => this.adapter.acquireLeader(ctx));
  }

  /** Renews the lock; `cluster` is the snapshot this cycle decided on. */
  refreshLeader(cluster: Cluster | null): Promise<LockOutcome> {
    const leader = cluster?.leader;
    const current: RawEntry | null = leader
      ? { key: 'leader', value: leader.name, version: leader.version, session: leader.session }
      : null;
    return this.call('refreshLeader', true, (ctx) => this.adapter.refreshLeader(current, ctx));
  }

  /** Records the last LSN (if given) for the next leader, then gives the lock up. */
  async releaseLeader(options: { lastLsn?: number } = {}): Promise<ReleaseOutcome> {
    if (options.lastLsn !== undefined) {
      const retain = this.lastRetainSlots?.length ? { retainSlots: this.lastRetainSlots } : {};
      await this.writeStatus({ lastLsn: options.lastLsn, slots: null, ...retain }, { force: true });
    }
    return this.call('releaseLeader', false, (ctx) => this.adapter.releaseLeader(ctx));
  }

  takeLeader(): Promise<LockOutcome> {
    return this.call('takeLeader', true, (ctx) => this.adapter.takeLeader(ctx));
  }

  touchMember(data: MemberData): Promise<WriteOutcome> {
    const value = encodeMemberData(data);
    return this.call('touchMember', false, (ctx) => this.adapter.touchMember(value, ctx));
  }

  /** `createNew`: claim the bootstrap race (create-if-absent); else overwrite with the sysid. */
  initialize(options: { createNew: boolean; sysid?: string }): Promise<WriteOutcome> {
    const condition: WriteCondition = options.createNew ? { kind: 'absent' } : { kind: 'any' };
    return this.write('initialize', options.sysid ?? '', condition, true);
  }

  cancelInitialization(): Promise<WriteOutcome> {
    return this.remove('initialize', { kind: 'any' }, true);
  }

  writeConfig(data: JsonObject, version?: string): Promise<WriteOutcome> {
    return this.write('config', encodeConfig(data), condition(version), false);
  }

  writeFailover(request: FailoverRequest, version?: string): Promise<WriteOutcome> {
    return this.write('failover', encodeFailover(request), condition(version), false);
  }

  /** Clears a switchover/failover request by writing `{}`, as Patroni does. */
  clearFailover(version?: string): Promise<WriteOutcome> {
    return this.write('failover', CLEARED_FAILOVER, condition(version), false);
  }

  /** `quorum` is written only in quorum commit mode (Patroni 4's field). */
  writeSync(leader: string, syncStandbys: readonly string[], version?: string, quorum?: number): Promise<WriteOutcome> {
    return this.write('sync', encodeSync(leader, syncStandbys, {}, quorum), condition(version), true);
  }

  deleteSync(version?: string): Promise<WriteOutcome> {
    return this.remove('sync', condition(version), true);
  }

  writeHistory(lines: readonly HistoryLine[]): Promise<WriteOutcome> {
    return this.write('history', encodeHistory(lines), { kind: 'any' }, false);
  }

  /** Skipped when the value equals the last one written, unless forced. */
  async writeStatus(
    status: { lastLsn: number; slots: Readonly<Record<string, number>> | null; retainSlots?: readonly string[] },
    options: { force?: boolean } = {},
  ): Promise<WriteOutcome> {
    const value = encodeStatus(status);
    if (!options.force && value === this.lastStatus) return { kind: 'written', version: null };
    const outcome = await this.write('status', value, { kind: 'any' }, false);
    if (outcome.kind === 'written') {
      this.lastStatus = value;
      this.lastRetainSlots = status.retainSlots;
    }
    return outcome;
  }

  /** Skipped when the value equals the last one written. */
  async writeFailsafe(members: Readonly<Record<string, string>>): Promise<WriteOutcome> {
    const value = encodeFailsafe(members);
    if (value === this.lastFailsafe) return { kind: 'written', version: null };
    const outcome = await this.write('failsafe', value, { kind: 'any' }, false);
    if (outcome.kind === 'written') this.lastFailsafe = value;
    return outcome;
  }

  /** Removes every key of the cluster (patronictl remove). */
  deleteCluster(): Promise<WriteOutcome> {
    return this.call('deleteCluster', true, (ctx) => this.adapter.removeCluster(ctx));
  }

  /** Calls `listener` on changes to `leader` and `config`, the keys that should wake the loop. */
  onChange(listener: (event: DcsWatchEvent) => void): () => void {
    return this.adapter.watch((event) => {
      if (event.key === 'leader' || event.key === 'config') listener(event);
    });
  }

  /** Calls `listener` with the member's name when a `members/<name>` key is written. */
  onMemberWritten(listener: (name: string) => void): () => void {
    return this.adapter.watch((event) => {
      if (event.type === 'put' && event.key.startsWith(MEMBERS_PREFIX)) listener(event.key.slice(MEMBERS_PREFIX.length));
    });
  }

  close(): Promise<void> {
    return this.adapter.close();
  }

  private write(key: DataKey, value: string, cond: WriteCondition, retry: boolean): Promise<WriteOutcome> {
    return this.call(`write ${key}`, retry, (ctx) => this.adapter.write(key, value, cond, ctx));
  }

  private remove(key: DataKey, cond: WriteCondition, retry: boolean): Promise<WriteOutcome> {
    return this.call(`delete ${key}`, retry, (ctx) => this.adapter.remove(key, cond, ctx));
  }

  private call<T extends { kind: string }>(what: string, retry: boolean, attempt: Attempt<T>): Promise<T | Unavailable> {
    const retryMs = this.timing.retryTimeout * 1000;
    const bounded = this.callsEndBy !== null && !LOCK_CALLS.has(what);
    const budgetMs = bounded ? Math.min(retryMs, this.callsEndBy! - this.clock.now()) : retryMs;
    if (budgetMs <= 0) this.logRefusal(what);
    return callWithDeadline(attempt, {
      clock: this.clock,
      random: this.random,
      budgetMs,
      retry,
      what,
    });
  }

  /**
   * A leader whose every post-renewal write is refused keeps a stale member key and
   * /status while it looks healthy: say so, once a minute at most.
   */
  private logRefusal(what: string): void {
    const now = this.clock.now();
    if (this.lastRefusalLoggedAt !== null && now - this.lastRefusalLoggedAt < REFUSAL_LOG_INTERVAL_MS) return;
    this.lastRefusalLoggedAt = now;
    this.logger.warn(
      `DCS ${what} skipped: no time left after the lock renewal before the lease guard acts; ` +
        'ttl - guard margin (pgwarden.fence_margin, watchdog.safety_margin) - 2 x retry_timeout must exceed 1 s: raise ttl, or lower the margin or retry_timeout',
    );
  }
}

const MEMBERS_PREFIX = 'members/';
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** The lock's own calls always get their full retry_timeout. */
const LOCK_CALLS: ReadonlySet<string> = new Set(['acquireLeader', 'refreshLeader', 'releaseLeader', 'takeLeader']);

function condition(version: string | undefined): WriteCondition {
  return version === undefined ? { kind: 'any' } : { kind: 'version', version };
}
