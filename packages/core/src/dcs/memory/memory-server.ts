/**
 * The in-memory DCS: the reference implementation of the contract, and the store the
 * simulation runs on. It behaves like etcd — a global revision, leases with a TTL on an
 * injectable clock, create-if-absent and CAS on a key's modification revision, and
 * watch events — and it can be made to fail: wholly down, frozen (calls hang until
 * their deadline), or cut off from one client.
 */
import { DcsError } from '../../errors.js';
import type { Clock, TimerHandle } from '../../time/clock.js';
import { systemClock } from '../../time/clock.js';

export interface StoredKey {
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly lease: string | null;
}

interface Lease {
  readonly id: string;
  /** Applied from the next keepalive on; changes when `/config`'s ttl does. */
  ttlMs: number;
  expiresAt: number;
  timer: TimerHandle;
}

export type ServerMode = 'up' | 'down' | 'frozen';

type Watcher = (event: { path: string; type: 'put' | 'delete' }) => void;

export class MemoryDcsServer {
  readonly clock: Clock;
  private readonly keys = new Map<string, StoredKey>();
  private readonly leases = new Map<string, Lease>();
  private readonly watchers = new Set<Watcher>();
  private revision = 1;
  private leaseSeq = 0;
  private mode: ServerMode = 'up';
  private readonly cutOff = new Set<string>();
  private readonly waiting = new Set<() => void>();
  /** Every request a client made, for tests that count the cost of an idle cluster. */
  requests = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  // ---- fault injection ----------------------------------------------------------

  /** `down`: every call fails at once; `frozen`: every call hangs (until its deadline). */
  setMode(mode: ServerMode): void {
    this.mode = mode;
    if (mode === 'up') this.releaseWaiting();
  }

  getMode(): ServerMode {
    return this.mode;
  }

  /** Cuts one client off (a partition): its calls hang as if the network dropped them. */
  cutOffClient(clientId: string, cut: boolean): void {
    if (cut) this.cutOff.add(clientId);
    else {
      this.cutOff.delete(clientId);
      this.releaseWaiting();
    }
  }

  /**
   * Waits until `clientId` may reach the server, honouring the caller's deadline.
   * While down, fails at once. Frozen or cut off: waits; leases keep expiring meanwhile.
   */
  async gate(clientId: string, signal: AbortSignal): Promise<void> {
    this.requests++;
    for (;;) {
      if (signal.aborted) throw new DcsError('deadline-exceeded', 'request aborted at its deadline', { cause: signal.reason });
      if (this.mode === 'down') throw new DcsError('connection-failed', 'the in-memory DCS is down');
      if (this.mode === 'up' && !this.cutOff.has(clientId)) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiting.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.waiting.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private releaseWaiting(): void {
    for (const wake of [...this.waiting]) wake();
  }

  // ---- leases --------------------------------------------------------------------

  grantLease(ttlMs: number): string {
    const id = `lease-${++this.leaseSeq}`;
    const lease: Lease = { id, ttlMs, expiresAt: this.clock.now() + ttlMs, timer: { cancel: () => {} } };
    lease.timer = this.clock.setTimer(ttlMs, () => this.expire(id));
    this.leases.set(id, lease);
    return id;
  }

  /** Extends a lease by its TTL from now; false when it has already expired. */
  keepAlive(id: string): boolean {
    const lease = this.leases.get(id);
    if (!lease) return false;
    lease.timer.cancel();
    lease.expiresAt = this.clock.now() + lease.ttlMs;
    lease.timer = this.clock.setTimer(lease.ttlMs, () => this.expire(id));
    return true;
  }

  /** Changes a lease's TTL from its next keepalive on (the current expiry stands). */
  setLeaseTtl(id: string, ttlMs: number): void {
    const lease = this.leases.get(id);
    if (lease) lease.ttlMs = ttlMs;
  }

  leaseAlive(id: string | null): boolean {
    return id !== null && this.leases.has(id);
  }

  revokeLease(id: string): void {
    this.expire(id);
  }

  private expire(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    lease.timer.cancel();
    this.leases.delete(id);
    for (const [path, stored] of [...this.keys]) if (stored.lease === id) this.deleteKey(path);
  }

  // ---- keys ----------------------------------------------------------------------

  get(path: string): StoredKey | undefined {
    return this.keys.get(path);
  }

  range(prefix: string): [string, StoredKey][] {
    // Without copying every key first: each HA cycle of each node reads the whole cluster.
    const out: [string, StoredKey][] = [];
    for (const [path, stored] of this.keys) if (path.startsWith(prefix)) out.push([path, stored]);
    return out;
  }

  put(path: string, value: string, lease: string | null = null): StoredKey {
    const previous = this.keys.get(path);
    const revision = ++this.revision;
    const stored: StoredKey = { value, createRevision: previous?.createRevision ?? revision, modRevision: revision, lease };
    this.keys.set(path, stored);
    this.emit(path, 'put');
    return stored;
  }

  deleteKey(path: string): boolean {
    if (!this.keys.delete(path)) return false;
    this.revision++;
    this.emit(path, 'delete');
    return true;
  }

  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private emit(path: string, type: 'put' | 'delete'): void {
    for (const w of [...this.watchers]) w({ path, type });
  }
}
