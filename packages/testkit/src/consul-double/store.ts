/**
 * The state of the Consul protocol double: sessions and the KV store, following
 * Consul's documented semantics (HTTP API: /session, /kv; "Sessions" internals):
 *
 * - A session with a TTL is invalidated when not renewed for twice the TTL (Consul
 *   servers apply a 2x multiplier; the TTL is a lower bound). Timers restart when the
 *   server restarts, as they do on a Consul leader election.
 * - On invalidation, `behavior: release` unlocks the session's keys and `delete`
 *   deletes them; either way the keys cannot be acquired again for the session's
 *   lock-delay. A voluntary `?release` sets no lock-delay.
 * - `?acquire` takes an unlocked key (LockIndex + 1) or updates one this session holds;
 *   an unknown session is an error ("invalid session").
 * - `?cas=0` writes only if the key is absent; `?cas=N` only if ModifyIndex is N.
 * - Every write moves the raft index; blocking reads wait for it to pass `?index`.
 */
import { randomUUID } from 'node:crypto';
import { formatGoSeconds as fmt, parseGoDuration as parseDuration } from './durations.js';

export interface KvEntry {
  value: string | null; // base64
  flags: number;
  createIndex: number;
  modifyIndex: number;
  lockIndex: number;
  session: string | null;
}

export interface Session {
  id: string;
  name: string;
  node: string;
  lockDelayMs: number;
  behavior: 'release' | 'delete';
  ttl: string; // as given, e.g. "15s"; "" when none
  ttlMs: number;
  checks: string[];
  createIndex: number;
  modifyIndex: number;
}

export interface ServiceRegistration {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

export interface PersistedState {
  index: number;
  kv: [string, KvEntry][];
  tombstones: [string, number][];
  sessions: Session[];
  services: ServiceRegistration[];
}

export class ConsulError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  readonly sessionTtlMinMs: number;
  readonly nodeName: string;
  /** Called after every change, so the process can persist it. */
  readonly onChange?: () => void;
}

const SESSION_TTL_MAX_MS = 24 * 3600 * 1000;

export class ConsulStore {
  index = 1;
  readonly kv = new Map<string, KvEntry>();
  readonly tombstones = new Map<string, number>();
  readonly sessions = new Map<string, Session>();
  readonly services = new Map<string, ServiceRegistration>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly lockDelays = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(readonly options: StoreOptions) {}

  // ---- sessions ----------------------------------------------------------------------

  createSession(body: Record<string, unknown>): Session {
    const field = (name: string): unknown => body[name] ?? body[name.toLowerCase()];
    const ttl = typeof field('TTL') === 'string' ? (field('TTL') as string) : '';
    let ttlMs = 0;
    if (ttl) {
      const parsed = parseDuration(ttl);
      if (parsed === null || parsed < this.options.sessionTtlMinMs || parsed > SESSION_TTL_MAX_MS) {
        throw new ConsulError(500, `Invalid Session TTL '${ttl}', must be between [${fmt(this.options.sessionTtlMinMs)}=${fmt(SESSION_TTL_MAX_MS)}]`);
      }
      ttlMs = parsed;
    }
    const lockDelay = field('LockDelay');
    const lockDelayMs = typeof lockDelay === 'string' ? parseDuration(lockDelay) : typeof lockDelay === 'number' ? lockDelay / 1e6 : 15_000;
    if (lockDelayMs === null) throw new ConsulError(500, `Request decode failed: invalid LockDelay ${JSON.stringify(lockDelay)}`);
    const behavior = field('Behavior') ?? 'release';
    if (behavior !== 'release' && behavior !== 'delete') throw new ConsulError(500, `Invalid Behavior setting '${String(behavior)}'`);
    const checks = field('Checks') ?? field('NodeChecks') ?? ['serfHealth'];
    const index = this.bump();
    const session: Session = {
      id: randomUUID(),
      name: typeof field('Name') === 'string' ? (field('Name') as string) : '',
      node: this.options.nodeName,
      lockDelayMs,
      behavior,
      ttl,
      ttlMs,
      checks: Array.isArray(checks) ? checks.map(String) : [],
      createIndex: index,
      modifyIndex: index,
    };
    this.sessions.set(session.id, session);
    this.armExpiry(session);
    this.changed();
    return session;
  }

  renewSession(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new ConsulError(404, `Session id '${id}' not found`);
    this.armExpiry(session);
    return session;
  }

  destroySession(id: string): void {
    this.invalidate(id);
  }

  /** Restarts every TTL timer from now, as a Consul leader election does. */
  restartTimers(): void {
    for (const session of this.sessions.values()) this.armExpiry(session);
  }

  private armExpiry(session: Session): void {
    clearTimeout(this.expiryTimers.get(session.id));
    if (!session.ttlMs) return;
    const timer = setTimeout(() => this.invalidate(session.id), 2 * session.ttlMs);
    timer.unref();
    this.expiryTimers.set(session.id, timer);
  }

  private invalidate(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    clearTimeout(this.expiryTimers.get(id));
    this.expiryTimers.delete(id);
    this.sessions.delete(id);
    const until = Date.now() + session.lockDelayMs;
    for (const [key, entry] of [...this.kv]) {
      if (entry.session !== id) continue;
      if (session.lockDelayMs > 0) this.lockDelays.set(key, until);
      if (session.behavior === 'delete') this.deleteKey(key);
      else {
        entry.session = null;
        entry.modifyIndex = this.bump();
      }
    }
    this.bump();
    this.changed();
  }

  // ---- KV ----------------------------------------------------------------------------

  get(key: string): KvEntry | undefined {
    return this.kv.get(key);
  }

  list(prefix: string): [string, KvEntry][] {
    return [...this.kv].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The index a blocking read of `key` (or of the prefix) waits on. */
  queryIndex(key: string, recurse: boolean): number {
    let max = 0;
    const matches = (k: string): boolean => (recurse ? k.startsWith(key) : k === key);
    for (const [k, e] of this.kv) if (matches(k)) max = Math.max(max, e.modifyIndex);
    for (const [k, i] of this.tombstones) if (matches(k)) max = Math.max(max, i);
    return max || this.index;
  }

  put(key: string, value: string, q: { cas?: number; acquire?: string; release?: string; flags?: number }): boolean {
    const existing = this.kv.get(key);
    if (q.cas !== undefined) {
      if (q.cas === 0 ? existing !== undefined : existing?.modifyIndex !== q.cas) return false;
    }
    let session = existing?.session ?? null;
    let lockIndex = existing?.lockIndex ?? 0;
    if (q.acquire !== undefined) {
      if (!this.sessions.has(q.acquire)) throw new ConsulError(500, `invalid session "${q.acquire}"`);
      const delayedUntil = this.lockDelays.get(key);
      if (delayedUntil !== undefined && delayedUntil > Date.now()) return false;
      if (existing?.session && existing.session !== q.acquire) return false;
      if (existing?.session !== q.acquire) lockIndex += 1;
      session = q.acquire;
    } else if (q.release !== undefined) {
      if (!existing || existing.session !== q.release) return false;
      session = null;
    }
    const index = this.bump();
    this.kv.set(key, {
      value,
      flags: q.flags ?? existing?.flags ?? 0,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      lockIndex,
      session,
    });
    this.tombstones.delete(key);
    this.changed();
    return true;
  }

  delete(key: string, q: { recurse?: boolean; cas?: number }): boolean {
    if (q.recurse) {
      for (const [k] of this.list(key)) this.deleteKey(k);
      this.changed();
      return true;
    }
    const existing = this.kv.get(key);
    // Consul answers true for a CAS delete of a key that is already gone.
    if (q.cas !== undefined && existing && existing.modifyIndex !== q.cas) return false;
    if (existing) this.deleteKey(key);
    this.changed();
    return true;
  }

  private deleteKey(key: string): void {
    if (!this.kv.delete(key)) return;
    this.tombstones.set(key, this.bump());
  }

  // ---- blocking queries ----------------------------------------------------------------

  /** Resolves at the next change, or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  // ---- persistence -------------------------------------------------------------------

  snapshot(): PersistedState {
    return {
      index: this.index,
      kv: [...this.kv],
      tombstones: [...this.tombstones],
      sessions: [...this.sessions.values()],
      services: [...this.services.values()],
    };
  }

  restore(state: PersistedState): void {
    this.index = state.index;
    for (const [k, v] of state.kv) this.kv.set(k, v);
    for (const [k, v] of state.tombstones) this.tombstones.set(k, v);
    for (const s of state.sessions) this.sessions.set(s.id, s);
    for (const s of state.services) this.services.set(s.id, s);
    this.restartTimers();
  }

  private bump(): number {
    this.index += 1;
    return this.index;
  }

  changed(): void {
    for (const wake of [...this.waiters]) wake();
    this.options.onChange?.();
  }
}
