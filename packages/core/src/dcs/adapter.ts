/**
 * The contract between core and a DCS adapter.
 *
 * Core owns the key layout, the value codec, deadlines and retries; an adapter moves
 * bytes and implements the lock with its backend's primitives (an etcd lease, a
 * ZooKeeper ephemeral node, a Consul session). Adapters never sleep or retry on their
 * own: every call gets a context whose signal aborts at the deadline core chose, and
 * core decides whether a failure is tried again.
 *
 * Failures are reported either as an `Unavailable` outcome or by throwing a DcsError
 * (core turns the throw into `unavailable`); `transient` on the error tells core's
 * retry policy whether another attempt may help.
 *
 * An adapter instance speaks for one member (`options.name`) and holds at most one
 * session/lease, shared by that member's leader and member keys (spec/dcs.md §5.9).
 */
import type { Clock } from '../time/clock.js';
import type { ConfigIssue } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RawEntry } from './cluster.js';
import type { DataKey, KeyLayout } from './keys.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from './outcomes.js';

export interface DcsCallContext {
  /** Aborts when the call's deadline passes; pass it to every request. */
  readonly signal: AbortSignal;
  /** Monotonic time (Clock.now) by which the call must have settled. */
  readonly deadline: number;
}

export interface DcsCapabilities {
  /** Smallest ttl (seconds) the backend can honour; the conformance kit runs with it. */
  readonly minTtlSeconds: number;
  /**
   * Who keeps the session alive: `loop` when only refreshLeader/touchMember renew it
   * (etcd lease, Consul session), `client` when the client library pings on its own
   * (ZooKeeper), so a stuck HA loop does not by itself release the lock.
   */
  readonly liveness: 'loop' | 'client';
  /** True when watch() is pushed by the server; false when it polls. */
  readonly nativeWatch: boolean;
  /** True when the server may grant a TTL other than the one asked (ZooKeeper clamps). */
  readonly ttlNegotiated: boolean;
  /**
   * Set by a backend whose leader lock does not rest on consensus (writes are not
   * linearizable: e.g. asynchronous replication can lose the lock at a failover, so two
   * members may each believe they hold it). Says what can go wrong and what to use
   * instead; the agent logs it once as a warning at start. Absent for etcd, ZooKeeper
   * and Consul.
   */
  readonly consensusCaveat?: string;
}

/** A condition on a write: none, "the key must be absent", or "its version must be this". */
export type WriteCondition =
  | { readonly kind: 'any' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'version'; readonly version: string };

export interface RawSnapshot {
  readonly kind: 'snapshot';
  /** Keys relative to the cluster prefix (`leader`, `members/node1`, …). */
  readonly entries: readonly RawEntry[];
}

export interface DcsWatchEvent {
  /** The key that changed, relative to the cluster prefix. */
  readonly key: string;
  readonly type: 'put' | 'delete';
}

export interface DcsAdapter {
  readonly capabilities: DcsCapabilities;

  /**
   * Every key under the cluster prefix. `linearizable` asks for a read that reflects
   * every write acknowledged before it (patronictl); otherwise a cached or follower
   * read is fine, as long as a round trip proved the cache current no longer than half
   * a TTL ago: a read must answer `unavailable` within ttl/2 + retry_timeout of the
   * server going silent.
   */
  read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable>;

  /**
   * Creates `leader` = this member's name bound to our session, only if the key is
   * absent. `held` if created; `lost('held-by-other')` if it exists.
   */
  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome>;

  /**
   * Renews our session and confirms the leader key is ours. `current` is the leader
   * entry of the snapshot this cycle decided on (null if it had none). `held` only if
   * the key exists, names us and is bound to our live session; `lost` if it is gone or
   * another member's; `unavailable` if the backend could not say. pgwarden does not
   * silently re-create a missing leader key (Patroni's etcd3 and ZooKeeper adapters do):
   * the member re-races instead.
   */
  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome>;

  /** Deletes the leader key if it names us. */
  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome>;

  /** Writes the leader key bound to our session whatever it held (right after our own bootstrap). */
  takeLeader(ctx: DcsCallContext): Promise<LockOutcome>;

  /**
   * Writes `members/<name>` bound to our session (renewing it). May skip the write when
   * the stored value is identical and bound to the same session.
   */
  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome>;

  /** Writes a persistent key under a condition. */
  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome>;

  /** Deletes a persistent key under a condition (`absent` is not a meaningful condition here). */
  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome>;

  /** Deletes every key under the cluster prefix. */
  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome>;

  /**
   * Calls `listener` on changes under the prefix (at least `leader` and `config`, both
   * put and delete, including a session-bound key disappearing when its session ends).
   * Returns a function that stops watching. Never throws; re-establishes itself.
   */
  watch(listener: (event: DcsWatchEvent) => void): () => void;

  /**
   * The dynamic `ttl` changed (`/config`): the leader lock and member key must live for
   * `ttlSeconds` from the next refreshLeader/touchMember on, as Patroni's `set_ttl` does.
   * Optional: an adapter without it keeps the ttl it was created with.
   */
  setTtl?(ttlSeconds: number): void;

  /**
   * The dynamic `loop_wait` changed: an adapter that paces its own keepalives or member
   * touches by it follows from now on. Optional, as setTtl.
   */
  setLoopWait?(loopWaitSeconds: number): void;

  /** Ends our session (its keys go at once) and releases every resource. */
  close(): Promise<void>;
}

/** Everything an adapter is built from. `section` is its patroni.yml section, already validated. */
export interface DcsAdapterOptions<TSection> {
  readonly section: TSection;
  readonly layout: KeyLayout;
  /** This member's name. */
  readonly name: string;
  readonly ttlSeconds: number;
  readonly loopWaitSeconds: number;
  readonly retryTimeoutSeconds: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** patronictl mode: reads are linearizable and no session is created until a lock call needs one. */
  readonly readOnly?: boolean;
}

export type SectionParseResult<TSection> =
  | { readonly ok: true; readonly value: TSection }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/**
 * What an adapter package exports, under the name `dcsAdapter`. The agent picks it by
 * the patroni.yml section name (`etcd3`, `zookeeper`, `consul`) or by `module:` for a
 * package outside this repository:
 *
 * ```ts
 * export const dcsAdapter: DcsAdapterModule<MySection> = {
 *   section: 'mydcs',
 *   parseSection(raw) { … },               // raw = the YAML section as parsed, env applied
 *   async create(options) { … },            // connect, check reachability, return the adapter
 * };
 * ```
 *
 * `create` throws a DcsError naming the endpoints it tried when the backend cannot be
 * reached at start; after that, failures travel as outcomes.
 */
export interface DcsAdapterModule<TSection = unknown> {
  readonly section: string;
  readonly capabilities: DcsCapabilities;
  parseSection(raw: unknown): SectionParseResult<TSection>;
  create(options: DcsAdapterOptions<TSection>): Promise<DcsAdapter>;
}

export const ADAPTER_EXPORT_NAME = 'dcsAdapter';
