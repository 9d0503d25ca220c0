/**
 * The etcd v3 adapter (spec/dcs.md §3.1): one lease per agent shared by its leader and
 * member keys; the leader key created in a transaction on `create_revision == 0`; CAS
 * writes on `mod_revision`; reads from a watch-maintained copy of the prefix (or a
 * linearizable range for patronictl). Versions are `mod_revision` strings and the
 * session of a key is its lease ID in decimal, as etcd's JSON gateway (and so Patroni)
 * shows it.
 */
import type {
  Clock,
  DcsAdapter,
  DcsAdapterOptions,
  DcsCallContext,
  DcsCapabilities,
  DcsWatchEvent,
  KeyLayout,
  LockOutcome,
  Logger,
  RawEntry,
  RawSnapshot,
  ReleaseOutcome,
  WriteCondition,
  WriteOutcome,
  DataKey,
} from '@pgwarden/core';
import { DcsError } from '@pgwarden/core';
import { WatchCache, prefixEnd, toCachedKey } from './cache.js';
import { Endpoints } from './client.js';
import type { Etcd3Section } from './config.js';
import { CopyProof } from './copy-proof.js';
import { isLeaseNotFound } from './errors.js';
import { Lease } from './lease.js';
import type { Compare, ResponseOp, TxnRequest } from './wire.js';

export const ETCD3_CAPABILITIES: DcsCapabilities = {
  // etcd refuses lease TTLs below ~1.5 election timeouts (1 s in the testkit) and grants 2 s.
  minTtlSeconds: 2,
  liveness: 'loop',
  nativeWatch: true,
  ttlNegotiated: false,
};

/** Time an acquire must have left to try again with a new lease after etcd lost ours. */
const RETRY_MARGIN_MS = 200;

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

export class Etcd3Dcs implements DcsAdapter {
  readonly capabilities = ETCD3_CAPABILITIES;
  readonly endpoints: Endpoints;
  private readonly lease: Lease;
  private readonly cache: WatchCache;
  private readonly layout: KeyLayout;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly readOnly: boolean;
  private readonly proof = new CopyProof();
  private ttlSeconds: number;
  /**
   * Our previous lease, replaced because `/config`'s ttl changed; the leader key may still
   * be bound to it, and the next refreshLeader moves it to the new one.
   */
  private replacedLease: string | null = null;
  private readonly listeners = new Set<(event: DcsWatchEvent) => void>();
  private closed = false;

  constructor(options: DcsAdapterOptions<Etcd3Section>) {
    this.layout = options.layout;
    this.name = options.name;
    this.clock = options.clock;
    this.logger = options.logger;
    this.readOnly = options.readOnly ?? false;
    this.ttlSeconds = options.ttlSeconds;
    const retryTimeoutMs = options.retryTimeoutSeconds * 1000;
    this.endpoints = new Endpoints({ section: options.section, clock: options.clock, logger: options.logger });
    this.lease = new Lease(this.endpoints, options.clock, options.ttlSeconds, (sentAt, revision) => this.proof.note(sentAt, revision));
    this.cache = new WatchCache({
      endpoints: this.endpoints,
      layout: options.layout,
      clock: options.clock,
      logger: options.logger,
      buildTimeoutMs: retryTimeoutMs,
      onEvent: (event) => {
        for (const listener of [...this.listeners]) {
          // A listener's failure must not fail the write or the watch that reported it.
          try {
            listener(event);
          } catch (error) {
            this.logger.warn(`etcd: a watch listener threw: ${(error as Error).message}`);
          }
        }
      },
    });
  }

  /**
   * `/config`'s ttl changed (Patroni's etcd3 `set_ttl` drops its lease). A lease's TTL is
   * fixed at grant, so the next refreshLeader or touchMember takes a new lease with the
   * new TTL and moves our keys to it; the old one, no longer kept alive, runs out.
   */
  setTtl(ttlSeconds: number): void {
    this.lease.setTtl(ttlSeconds);
    this.ttlSeconds = ttlSeconds;
  }

  /**
   * Half the TTL: how often a member that does not lead renews its lease (touchMember),
   * and how old the last proof of the watch copy may be for a read to be served from it.
   * The leader's refresh renews every loop, and so proves the copy every loop.
   */
  private get renewalIntervalMs(): number {
    return (this.ttlSeconds * 1000) / 2;
  }

  /** The lease ID we hold (decimal), or null. */
  get leaseId(): string | null {
    return this.lease.id;
  }

  /**
   * Finds a reachable endpoint (and checks the credentials) before the adapter is used.
   * Throws a DcsError naming every endpoint tried.
   */
  async connect(timeoutMs: number): Promise<void> {
    const failures: string[] = [];
    for (let index = 0; index < this.endpoints.urls.length; index++) {
      this.endpoints.prefer(index);
      const controller = new AbortController();
      const timer = this.clock.setTimer(timeoutMs, () => controller.abort());
      try {
        await this.endpoints.callOn(index, { signal: controller.signal, deadline: this.clock.now() + timeoutMs }, 'range', (client, options) =>
          client.kv.range({ key: utf8(this.layout.prefix), range_end: prefixEnd(utf8(this.layout.prefix)), limit: 1, keys_only: true, serializable: true }, options),
        );
        if (!this.readOnly) this.cache.start();
        return;
      } catch (error) {
        if (error instanceof DcsError && error.code === 'auth-failed') throw error;
        failures.push((error as Error).message);
      } finally {
        timer.cancel();
      }
    }
    throw new DcsError('connection-failed', `etcd3: no endpoint answered within ${timeoutMs} ms each: ${failures.join('; ')}`, {
      transient: true,
    });
  }

  async read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot> {
    const linearizable = options.linearizable || this.readOnly;
    // The copy is served only while a round trip proved it current within half a TTL: a
    // frozen server must not be read as a healthy, quiet one for longer (see confirmCache).
    if (!linearizable && this.cache.isLive && (this.proof.holds(this.cache, this.clock.now(), this.renewalIntervalMs) || (await this.confirmCache(ctx)))) {
      const cached = this.cache.snapshot();
      if (cached) return { kind: 'snapshot', entries: cached };
    }
    const prefix = utf8(this.layout.prefix);
    const sentAt = this.clock.now();
    const response = await this.endpoints.call(ctx, 'range', (client, callOptions) =>
      client.kv.range({ key: prefix, range_end: prefixEnd(prefix), serializable: !linearizable }, callOptions),
    );
    // The copy catches up with this read, which proves it current as of then.
    this.cache.absorb(response);
    this.proof.note(sentAt, response.header.revision);
    const entries: RawEntry[] = [];
    for (const kv of response.kvs) {
      const key = this.layout.relative(kv.key.toString('utf8'));
      if (key === null) continue;
      const cached = toCachedKey(kv);
      entries.push({ key, value: cached.value, version: cached.modRevision, session: cached.lease === '0' ? null : cached.lease });
    }
    return { kind: 'snapshot', entries };
  }

  /**
   * Proves the watch copy current with one round trip: the lease's keepalive, which the
   * lease needs about as often anyway (touchMember then finds it fresh and sends none).
   * Its answer carries the serving member's store revision after the renewal; a copy
   * complete up to it is as fresh as a serializable read sent now. Otherwise (no lease,
   * or the revision moved on: a change still on its way, or writes outside our prefix)
   * the read is a range of the prefix, which the copy then absorbs. A keepalive that
   * fails fails the read: the read is then `unavailable`, as a range to the same server
   * would be.
   */
  private async confirmCache(ctx: DcsCallContext): Promise<boolean> {
    if (this.lease.id === null || this.lease.stale) return false;
    const renewed = await this.lease.renew(ctx);
    return renewed !== null && this.cache.covers(renewed.revision);
  }

  async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    await this.liveLease(ctx, 0);
    this.replacedLease = null;
    for (let attempt = 0; ; attempt++) {
      const leaseId = this.lease.id!;
      const path = this.layout.key('leader');
      try {
        const response = await this.txn(ctx, 'acquire leader', {
          compare: [{ key: utf8(path), target: 'CREATE', result: 'EQUAL', create_revision: 0 }],
          success: [{ request_put: { key: utf8(path), value: utf8(this.name), lease: leaseId } }],
          failure: [{ request_range: { key: utf8(path) } }],
        });
        if (response.succeeded) {
          this.cache.applyPut(path, this.name, leaseId, response.header.revision);
          return { kind: 'held', validUntil: this.lease.validUntil };
        }
        const holder = rangeValue(response.responses[0]);
        return holder === null ? { kind: 'lost', reason: 'held-by-other' } : { kind: 'lost', reason: 'held-by-other', holder };
      } catch (error) {
        // etcd dropped the lease between our keepalive and the put: one more try with a new one.
        if (!isLeaseNotFound(error) || attempt > 0 || ctx.deadline - this.clock.now() < RETRY_MARGIN_MS) throw error;
        this.lease.drop();
        await this.lease.grant(ctx);
      }
    }
  }

  async refreshLeader(_current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    // The lock's refresh is always this round trip to etcd, under the call's deadline.
    let provenAt: string | null = null;
    if (this.lease.id === null) {
      // A process with no lease yet (an agent restarted beside its running Postgres) can
      // hold the lock only by taking back a key under its name, below: it needs a lease.
      await this.lease.grant(ctx);
    } else if (this.lease.stale) {
      this.replacedLease = this.lease.id;
      await this.lease.grant(ctx);
    } else {
      const renewed = await this.lease.renew(ctx);
      if (renewed === null) return { kind: 'lost', reason: 'not-held' };
      provenAt = renewed.revision;
    }
    const leaseId = this.lease.id!;
    const held: LockOutcome = { kind: 'held', validUntil: this.lease.validUntil };
    const path = this.layout.key('leader');
    const replaced = this.replacedLease;
    if (replaced !== null) {
      this.replacedLease = null;
      // Ours on the replaced lease: move it to the new one in one step (a compare-and-put).
      const moved = await this.txn(ctx, 'move leader to the new lease', {
        compare: [
          { key: utf8(path), target: 'VALUE', result: 'EQUAL', value: utf8(this.name) },
          { key: utf8(path), target: 'LEASE', result: 'EQUAL', lease: replaced },
        ],
        success: [{ request_put: { key: utf8(path), value: utf8(this.name), lease: leaseId } }],
        failure: [],
      });
      if (moved.succeeded) {
        this.cache.applyPut(path, this.name, leaseId, moved.header.revision);
        return held;
      }
    }
    // Patroni trusts its cached copy when it names us with our lease. pgwarden trusts it
    // only when it holds every change up to the revision the keepalive just answered:
    // then a key deleted or taken before that instant would show there, as in the
    // compare-only transaction below, which it spares (one request a loop). Otherwise
    // that transaction checks (a read: the key's mod_revision stays put), so a key
    // deleted or taken after the snapshot is reported at once instead of next cycle.
    if (provenAt !== null && this.cache.covers(provenAt)) {
      const cached = this.cache.lookup(path);
      if (cached && cached.value === this.name && cached.lease === leaseId) return held;
    }
    const response = await this.txn(ctx, 'check leader', {
      compare: [
        { key: utf8(path), target: 'VALUE', result: 'EQUAL', value: utf8(this.name) },
        { key: utf8(path), target: 'LEASE', result: 'EQUAL', lease: leaseId },
      ],
      success: [],
      failure: [{ request_range: { key: utf8(path) } }],
    });
    if (response.succeeded) return held;
    const holderKv = response.responses[0]?.response_range?.kvs?.[0];
    const holder = holderKv ? toCachedKey(holderKv) : null;
    // pgwarden does not re-create a vanished leader key: the member races again instead.
    if (holder === null) return { kind: 'lost', reason: 'not-held' };
    if (holder.value === this.name) return this.reclaimLeader(holder.lease, leaseId, held, ctx);
    return { kind: 'lost', reason: 'held-by-other', holder: holder.value };
  }

  /**
   * The key names this member but another lease: a previous process of this member (an
   * agent that crashed or was restarted while its Postgres kept running) holds it. As
   * Patroni does, the member takes it back by name (names are unique: the agent refuses
   * to start while another agent of the same name answers). Only the exact lease seen is
   * replaced, in one compare-and-put: a key taken or re-created meanwhile stays untouched.
   */
  private async reclaimLeader(previousLease: string, leaseId: string, held: LockOutcome, ctx: DcsCallContext): Promise<LockOutcome> {
    const path = this.layout.key('leader');
    const moved = await this.txn(ctx, 'reclaim leader from a previous session of this member', {
      compare: [
        { key: utf8(path), target: 'VALUE', result: 'EQUAL', value: utf8(this.name) },
        { key: utf8(path), target: 'LEASE', result: 'EQUAL', lease: previousLease },
      ],
      success: [{ request_put: { key: utf8(path), value: utf8(this.name), lease: leaseId } }],
      failure: [],
    });
    if (!moved.succeeded) return { kind: 'lost', reason: 'not-held' };
    this.cache.applyPut(path, this.name, leaseId, moved.header.revision);
    return held;
  }

  async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    const path = this.layout.key('leader');
    const response = await this.txn(ctx, 'release leader', {
      compare: [{ key: utf8(path), target: 'VALUE', result: 'EQUAL', value: utf8(this.name) }],
      success: [{ request_delete_range: { key: utf8(path) } }],
      failure: [],
    });
    if (!response.succeeded) return { kind: 'not-owner' };
    this.cache.applyDelete(path, response.header.revision);
    return { kind: 'released' };
  }

  async takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    this.replacedLease = null;
    await this.withLease(ctx, 0, (leaseId) => this.putKey(ctx, 'take leader', this.layout.key('leader'), this.name, leaseId));
    return { kind: 'held', validUntil: this.lease.validUntil };
  }

  async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    const path = this.layout.member(this.name);
    const version = await this.withLease(ctx, this.renewalIntervalMs, async (leaseId) => {
      const cached = this.cache.lookup(path);
      if (cached && cached.value === value && cached.lease === leaseId) return cached.modRevision;
      return this.putKey(ctx, 'touch member', path, value, leaseId);
    });
    return { kind: 'written', version };
  }

  async write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const path = this.layout.key(key);
    if (condition.kind === 'any') return { kind: 'written', version: await this.putKey(ctx, `write ${key}`, path, value, '0') };
    const response = await this.txn(ctx, `write ${key}`, {
      compare: [compareFor(path, condition)],
      success: [{ request_put: { key: utf8(path), value: utf8(value) } }],
      failure: [],
    });
    if (!response.succeeded) return { kind: 'conflict' };
    this.cache.applyPut(path, value, '0', response.header.revision);
    return { kind: 'written', version: response.header.revision };
  }

  async remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const path = this.layout.key(key);
    if (condition.kind !== 'version') {
      const response = await this.endpoints.call(ctx, `delete ${key}`, (client, options) =>
        client.kv.deleteRange({ key: utf8(path) }, options),
      );
      this.cache.applyDelete(path, response.header.revision);
      return { kind: 'written', version: null };
    }
    const response = await this.txn(ctx, `delete ${key}`, {
      compare: [compareFor(path, condition)],
      success: [{ request_delete_range: { key: utf8(path) } }],
      failure: [],
    });
    if (!response.succeeded) return { kind: 'conflict' };
    this.cache.applyDelete(path, response.header.revision);
    return { kind: 'written', version: null };
  }

  async removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    const prefix = utf8(this.layout.prefix);
    const response = await this.endpoints.call(ctx, 'delete cluster', (client, options) =>
      client.kv.deleteRange({ key: prefix, range_end: prefixEnd(prefix) }, options),
    );
    this.cache.applyDeletePrefix(response.header.revision);
    return { kind: 'written', version: null };
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    this.listeners.add(listener);
    // patronictl-mode adapters read without the copy, but still need the watch for events.
    this.cache.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Revokes the lease (our keys go at once) within `timeoutMs`, then disconnects. */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.close();
    this.listeners.clear();
    const controller = new AbortController();
    const timer = this.clock.setTimer(timeoutMs, () => controller.abort());
    try {
      await this.lease.revoke({ signal: controller.signal, deadline: this.clock.now() + timeoutMs });
    } catch (error) {
      this.logger.warn(`etcd: could not revoke the lease on close; its keys expire with its TTL (${(error as Error).message})`);
    } finally {
      timer.cancel();
      this.endpoints.close();
    }
  }

  /** Disconnects without revoking the lease, as a killed agent would: its keys expire by TTL. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.close();
    this.listeners.clear();
    this.lease.drop();
    this.endpoints.close();
  }

  /**
   * Runs `write` with a live lease (renewed when older than `maxAgeMs`); if etcd says the
   * lease is gone, drops it and tries once more with a new one while time remains.
   */
  private async withLease<T>(ctx: DcsCallContext, maxAgeMs: number, write: (leaseId: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const leaseId = await this.liveLease(ctx, maxAgeMs);
      try {
        return await write(leaseId);
      } catch (error) {
        if (!isLeaseNotFound(error) || attempt > 0 || ctx.deadline - this.clock.now() < RETRY_MARGIN_MS) throw error;
        this.lease.drop();
      }
    }
  }

  /** A live lease (Lease.ensure), replaced by a new grant when `/config`'s ttl changed since ours was granted. */
  private async liveLease(ctx: DcsCallContext, maxAgeMs: number): Promise<string> {
    if (this.lease.stale) {
      this.replacedLease = this.lease.id;
      return this.lease.grant(ctx);
    }
    return this.lease.ensure(ctx, maxAgeMs);
  }

  private async putKey(ctx: DcsCallContext, what: string, path: string, value: string, lease: string): Promise<string> {
    const response = await this.endpoints.call(ctx, what, (client, options) =>
      client.kv.put({ key: utf8(path), value: utf8(value), lease }, options),
    );
    this.cache.applyPut(path, value, lease, response.header.revision);
    return response.header.revision;
  }

  private txn(ctx: DcsCallContext, what: string, request: TxnRequest) {
    return this.endpoints.call(ctx, what, (client, options) => client.kv.txn(request, options));
  }
}

function compareFor(path: string, condition: Exclude<WriteCondition, { kind: 'any' }>): Compare {
  if (condition.kind === 'absent') {
    return { key: utf8(path), target: 'CREATE', result: 'EQUAL', create_revision: 0 };
  }
  // A version that is not a revision (another backend's) can match nothing.
  const revision = /^\d+$/.test(condition.version) ? condition.version : '-1';
  return { key: utf8(path), target: 'MOD', result: 'EQUAL', mod_revision: revision };
}

/** The value a txn's range branch found, or null when the key was absent. */
function rangeValue(response: ResponseOp | undefined): string | null {
  const kv = response?.response_range?.kvs?.[0];
  return kv ? toCachedKey(kv).value : null;
}
