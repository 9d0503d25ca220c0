/**
 * A client of MemoryDcsServer, implementing the adapter contract the way the etcd
 * adapter does: one lease per member, shared by its leader and member keys; acquire
 * creates the leader key only if absent; refresh renews the lease and checks the key
 * is still ours; writes use create-if-absent or CAS on the modification revision.
 */
import { DcsError } from '../../errors.js';
import type { DcsAdapter, DcsCallContext, DcsCapabilities, DcsWatchEvent, RawSnapshot, WriteCondition } from '../adapter.js';
import type { RawEntry } from '../cluster.js';
import type { DataKey, KeyLayout } from '../keys.js';
import type { LockOutcome, ReleaseOutcome, WriteOutcome } from '../outcomes.js';
import type { MemoryDcsServer, StoredKey } from './memory-server.js';

export const MEMORY_CAPABILITIES: DcsCapabilities = {
  minTtlSeconds: 1,
  liveness: 'loop',
  nativeWatch: true,
  ttlNegotiated: false,
};

export interface MemoryDcsOptions {
  readonly server: MemoryDcsServer;
  readonly layout: KeyLayout;
  readonly name: string;
  readonly ttlSeconds: number;
  /** Identifies this client to the server's fault injection; defaults to the name. */
  readonly clientId?: string;
}

export class MemoryDcs implements DcsAdapter {
  readonly capabilities = MEMORY_CAPABILITIES;
  readonly clientId: string;
  private readonly server: MemoryDcsServer;
  private readonly layout: KeyLayout;
  private readonly name: string;
  private ttlMs: number;
  private lease: string | null = null;
  private closed = false;
  private readonly unwatchers = new Set<() => void>();

  constructor(options: MemoryDcsOptions) {
    this.server = options.server;
    this.layout = options.layout;
    this.name = options.name;
    this.ttlMs = options.ttlSeconds * 1000;
    this.clientId = options.clientId ?? options.name;
  }

  /** A new `/config` ttl: the session is renewed with it from the next refresh or touch on. */
  setTtl(ttlSeconds: number): void {
    this.ttlMs = ttlSeconds * 1000;
    if (this.lease) this.server.setLeaseTtl(this.lease, this.ttlMs);
  }

  async read(ctx: DcsCallContext): Promise<RawSnapshot> {
    await this.reach(ctx);
    const entries: RawEntry[] = this.server.range(this.layout.prefix).map(([path, stored]) => toEntry(this.layout, path, stored));
    return { kind: 'snapshot', entries };
  }

  async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.server.clock.now();
    await this.reach(ctx);
    const lease = this.renewedLease();
    const path = this.layout.key('leader');
    const existing = this.server.get(path);
    if (existing) return { kind: 'lost', reason: 'held-by-other', holder: existing.value };
    this.server.put(path, this.name, lease);
    return { kind: 'held', validUntil: sentAt + this.ttlMs };
  }

  async refreshLeader(_current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.server.clock.now();
    await this.reach(ctx);
    if (!this.lease || !this.server.keepAlive(this.lease)) {
      this.lease = null;
      return { kind: 'lost', reason: 'not-held' };
    }
    const stored = this.server.get(this.layout.key('leader'));
    if (!stored) return { kind: 'lost', reason: 'not-held' };
    if (stored.value !== this.name || stored.lease !== this.lease) {
      return { kind: 'lost', reason: 'held-by-other', holder: stored.value };
    }
    return { kind: 'held', validUntil: sentAt + this.ttlMs };
  }

  async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    await this.reach(ctx);
    const path = this.layout.key('leader');
    const stored = this.server.get(path);
    if (!stored || stored.value !== this.name) return { kind: 'not-owner' };
    this.server.deleteKey(path);
    return { kind: 'released' };
  }

  async takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.server.clock.now();
    await this.reach(ctx);
    this.server.put(this.layout.key('leader'), this.name, this.renewedLease());
    return { kind: 'held', validUntil: sentAt + this.ttlMs };
  }

  async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.reach(ctx);
    // Touching renews the session, as the etcd adapter (and Patroni's etcd3) does: a replica
    // never calls refreshLeader, and its member key must outlive the ttl while it is alive.
    const lease = this.renewedLease();
    const path = this.layout.member(this.name);
    const stored = this.server.get(path);
    if (stored && stored.value === value && stored.lease === lease) return { kind: 'written', version: String(stored.modRevision) };
    return { kind: 'written', version: String(this.server.put(path, value, lease).modRevision) };
  }

  async write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.reach(ctx);
    const path = this.layout.key(key);
    if (!holds(this.server.get(path), condition)) return { kind: 'conflict' };
    return { kind: 'written', version: String(this.server.put(path, value).modRevision) };
  }

  async remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.reach(ctx);
    const path = this.layout.key(key);
    const stored = this.server.get(path);
    if (condition.kind === 'version' && !holds(stored, condition)) return { kind: 'conflict' };
    this.server.deleteKey(path);
    return { kind: 'written', version: null };
  }

  async removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.reach(ctx);
    for (const [path] of this.server.range(this.layout.prefix)) this.server.deleteKey(path);
    return { kind: 'written', version: null };
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    const unwatch = this.server.watch(({ path, type }) => {
      const key = this.layout.relative(path);
      if (key !== null && !this.closed) listener({ key, type });
    });
    this.unwatchers.add(unwatch);
    return () => {
      unwatch();
      this.unwatchers.delete(unwatch);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const unwatch of this.unwatchers) unwatch();
    if (this.lease && this.server.getMode() === 'up') this.server.revokeLease(this.lease);
    this.lease = null;
  }

  /** Stops using the connection without ending the session: its lease runs out by itself. */
  abandon(): void {
    this.closed = true;
    for (const unwatch of this.unwatchers) unwatch();
  }

  private async reach(ctx: DcsCallContext): Promise<void> {
    if (this.closed) throw new DcsError('closed', 'this DCS client is closed');
    await this.server.gate(this.clientId, ctx.signal);
  }

  /**
   * This client's lease, renewed now, or a new one if it expired. A key put on it then
   * lives a ttl from this call, which is the validUntil acquire and take report: a lease
   * only touched before a long DCS outage would otherwise take the new lock with it
   * seconds after it was won.
   */
  private renewedLease(): string {
    if (this.lease === null || !this.server.keepAlive(this.lease)) this.lease = this.server.grantLease(this.ttlMs);
    return this.lease;
  }
}

function holds(stored: StoredKey | undefined, condition: WriteCondition): boolean {
  switch (condition.kind) {
    case 'any':
      return true;
    case 'absent':
      return stored === undefined;
    case 'version':
      return stored !== undefined && String(stored.modRevision) === condition.version;
  }
}

function toEntry(layout: KeyLayout, path: string, stored: StoredKey): RawEntry {
  return { key: layout.relative(path)!, value: stored.value, version: String(stored.modRevision), session: stored.lease };
}
