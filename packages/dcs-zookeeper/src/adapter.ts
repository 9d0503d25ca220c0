/**
 * The ZooKeeper adapter (spec/dcs.md §3.2): `leader` and `members/<name>` are ephemeral
 * znodes of this agent's one session, so they vanish when the server stops hearing
 * from it for the session timeout; every other key is persistent, written with CAS on
 * the znode version.
 *
 * Differences from Patroni's adapter, on purpose:
 * - a CAS on version 0 is a CAS (Patroni turns `version 0` into "unconditional");
 * - refreshLeader only checks that the leader znode is owned by our session; it never
 *   re-creates a missing one (the member re-races instead);
 * - a lost session is replaced on the next call, and lock calls then report `lost`.
 */
import {
  DcsError,
  type Clock,
  type DcsAdapter,
  type DcsAdapterOptions,
  type DcsCallContext,
  type DcsCapabilities,
  type DcsWatchEvent,
  type DataKey,
  type KeyLayout,
  type LockOutcome,
  type Logger,
  type RawEntry,
  type RawSnapshot,
  type ReleaseOutcome,
  type WriteCondition,
  type WriteOutcome,
} from '@pgwarden/core';
import { Exception, type Stat } from 'node-zookeeper-client';
import type { ZooKeeperSection } from './config.js';
import { contextFor, shareOf } from './deadline.js';
import { hasZkCode } from './errors.js';
import { mzxidOf, ownerOf, toRawEntry } from './stat.js';
import { ZkSession } from './session.js';
import { WATCHED_KEYS, WatchHub, type WatchedKey } from './watches.js';

export const ZOOKEEPER_CAPABILITIES: DcsCapabilities = {
  // ZooKeeper clamps session timeouts to [2, 20] × tickTime unless the server sets
  // min/maxSessionTimeout; 2 s is what a tickTime of 1 s (or the testkit's limits) allows.
  minTtlSeconds: 2,
  liveness: 'client',
  nativeWatch: true,
  ttlNegotiated: true,
};

/** The keys one read fetches (Patroni reads exactly these). */
const PLAIN_KEYS = ['initialize', 'config', 'history', 'sync', 'leader', 'status', 'failover', 'failsafe'] as const;

export class ZooKeeperDcs implements DcsAdapter {
  readonly capabilities = ZOOKEEPER_CAPABILITIES;
  private readonly section: ZooKeeperSection;
  private readonly layout: KeyLayout;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly requestedTimeoutMs: number;
  private readonly retryTimeoutMs: number;
  private readonly watches: WatchHub;
  private session: ZkSession | null = null;
  private opening: Promise<ZkSession> | null = null;
  private closed = false;
  /** Our member znode as last read or written, so an unchanged touch costs nothing. */
  private memberSeen: { value: string; session: string; version: string } | null = null;
  /** The last member value we wrote, re-created right after a session restart. */
  private memberValue: string | null = null;
  private reopenTimer: { cancel(): void } | null = null;

  private constructor(options: DcsAdapterOptions<ZooKeeperSection>) {
    this.section = options.section;
    this.layout = options.layout;
    this.name = options.name;
    this.clock = options.clock;
    this.logger = options.logger;
    this.requestedTimeoutMs = Math.round(options.ttlSeconds * 1000);
    this.retryTimeoutMs = Math.max(1000, options.retryTimeoutSeconds * 1000);
    this.watches = new WatchHub(this.logger, (key) => this.rearmInBackground([key], false));
  }

  /**
   * Connects and checks the server answers, within retry_timeout; throws a DcsError
   * naming the hosts when it does not. Even in patronictl (read-only) mode a session is
   * opened here: ZooKeeper has no reads without one, and it holds no znode of ours.
   */
  static async create(options: DcsAdapterOptions<ZooKeeperSection>): Promise<ZooKeeperDcs> {
    const adapter = new ZooKeeperDcs(options);
    const ctx = contextFor(options.clock, adapter.retryTimeoutMs, 'connect deadline');
    try {
      const session = await adapter.ensureSession(ctx);
      // A round trip, so a server that accepts connections but fails requests (or our
      // auth_data) is found now rather than in the first HA cycle.
      await session.exists(options.layout.base, ctx);
      return adapter;
    } catch (error) {
      adapter.abandon();
      const hosts = options.section.hosts.join(', ');
      const detail = error instanceof Error ? error.message : String(error);
      throw new DcsError('connection-failed', `could not reach ZooKeeper at ${hosts} within ${adapter.retryTimeoutMs} ms: ${detail}`, {
        cause: error,
      });
    } finally {
      ctx.done();
    }
  }

  /** The current session id (decimal), or null when there is none. */
  get sessionId(): string | null {
    return this.session?.alive ? this.session.id : null;
  }

  /** The session timeout the server granted, or null before a session exists. */
  get grantedTimeoutMs(): number | null {
    return this.session?.grantedTimeoutMs ?? null;
  }

  /**
   * The live session's id and password, for tests that end the session from outside
   * (connect with them, then close). Not for production use: they are the session's keys.
   */
  sessionCredentials(): { id: Buffer; password: Buffer } | null {
    return this.session?.alive ? this.session.credentials() : null;
  }

  /**
   * Drops the current connection; the client reconnects at once and keeps the session
   * if the server still has it (it learns of an expiry this way, too).
   */
  reconnect(): void {
    this.session?.reconnect();
  }

  // ---- reads ----------------------------------------------------------------------

  /**
   * Children of the cluster znode, then one GET per known key and per member: not an
   * atomic snapshot (as in Patroni). ZooKeeper serves reads from the connected server,
   * which may trail the leader slightly; the client has no `sync`, so `linearizable`
   * cannot ask for more.
   */
  async read(ctx: DcsCallContext, _options: { readonly linearizable: boolean }): Promise<RawSnapshot> {
    const session = await this.ensureSession(ctx);
    const base = this.layout.base;
    const children = new Set((await session.getChildren(base, ctx)) ?? []);
    const entries: RawEntry[] = [];
    const tasks: Promise<void>[] = [];
    const fetch = async (key: string, watched?: WatchedKey): Promise<void> => {
      const node = await session.getData(`${base}/${key}`, ctx, watched && this.watches.watcherFor(watched));
      if (watched) {
        // Deleted since the listing: no data watch was set, so watch for its creation.
        if (node) this.watches.observed(watched, node.stat, false);
        else await this.arm(session, watched, ctx, false);
      }
      if (node) entries.push(toRawEntry(key, node.value, node.stat));
    };
    for (const key of PLAIN_KEYS) {
      const watched = (WATCHED_KEYS as readonly string[]).includes(key) ? (key as WatchedKey) : undefined;
      if (children.has(key)) tasks.push(fetch(key, watched));
      else if (watched) tasks.push(this.arm(session, watched, ctx, false));
    }
    if (children.has('optime')) tasks.push(fetch('optime/leader'));
    if (children.has('members')) {
      tasks.push(
        session.getChildren(`${base}/members`, ctx).then(async (names) => {
          await Promise.all((names ?? []).map((name) => fetch(`members/${name}`)));
        }),
      );
    }
    await Promise.all(tasks);
    const mine = entries.find((e) => e.key === `members/${this.name}`);
    this.memberSeen = mine && mine.session ? { value: mine.value, session: mine.session, version: mine.version } : null;
    return { kind: 'snapshot', entries };
  }

  // ---- the leader lock ------------------------------------------------------------

  async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const session = await this.ensureSession(ctx);
    const sentAt = this.clock.now();
    const path = this.layout.key('leader');
    try {
      await this.createWithParents(session, path, this.name, true, ctx);
    } catch (error) {
      if (!hasZkCode(error, Exception.NODE_EXISTS)) throw error;
      return { kind: 'lost', reason: 'held-by-other', ...(await this.holder(session, ctx)) };
    }
    return { kind: 'held', validUntil: sentAt + session.grantedTimeoutMs };
  }

  /**
   * Held only when the leader znode exists and its ephemeralOwner is our live session:
   * then the server had heard from us when it answered, so the znode lives at least a
   * session timeout from when we asked. No write.
   */
  async refreshLeader(_current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const session = this.session;
    // No live session: whatever ephemerals we had went with it.
    if (!session?.alive) return { kind: 'lost', reason: 'not-held' };
    const sentAt = this.clock.now();
    let node: { value: string; stat: Stat } | null;
    try {
      node = await session.getData(this.layout.key('leader'), ctx);
    } catch (error) {
      if (hasZkCode(error, Exception.SESSION_EXPIRED)) return { kind: 'lost', reason: 'not-held' };
      throw error;
    }
    if (!node) return { kind: 'lost', reason: 'not-held' };
    if (ownerOf(node.stat) !== session.id) return { kind: 'lost', reason: 'held-by-other', holder: node.value };
    return { kind: 'held', validUntil: sentAt + session.grantedTimeoutMs };
  }

  /**
   * Gives the lock up by ending our session, as Patroni does: the server then deletes
   * exactly the ephemerals of that session, atomically. Deleting the znode instead
   * would need a version check, and a version cannot tell our leader znode from one
   * re-created by another member in between (both are version 0); only the session
   * can. A new session follows at once and our member znode is re-created in it.
   */
  async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    const session = this.session;
    if (!session?.alive) return { kind: 'not-owner' };
    const node = await session.getData(this.layout.key('leader'), ctx);
    if (!node || ownerOf(node.stat) !== session.id) return { kind: 'not-owner' };
    const confirmed = await session.close(ctx.signal);
    if (this.session === session) this.session = null;
    if (!confirmed) {
      throw new DcsError(
        'connection-failed',
        `could not end the ZooKeeper session to release the leader lock; it expires within ${session.grantedTimeoutMs} ms`,
        { transient: false },
      );
    }
    // Best effort, within part of what is left: the next touchMember does it otherwise.
    const share = shareOf(this.clock, ctx, 0.7);
    try {
      const next = await this.ensureSession(share);
      if (this.memberValue !== null) await this.writeMember(next, this.memberValue, share);
    } catch (error) {
      this.logger.debug(`after releasing the leader lock: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      share.done();
    }
    return { kind: 'released' };
  }

  /** Makes the leader znode ours whatever it held: replaces another session's znode. */
  async takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const session = await this.ensureSession(ctx);
    const sentAt = this.clock.now();
    const path = this.layout.key('leader');
    const held: LockOutcome = { kind: 'held', validUntil: sentAt + session.grantedTimeoutMs };
    try {
      await this.createWithParents(session, path, this.name, true, ctx);
      return held;
    } catch (error) {
      if (!hasZkCode(error, Exception.NODE_EXISTS)) throw error;
    }
    const node = await session.getData(path, ctx);
    if (node && ownerOf(node.stat) === session.id) {
      if (node.value !== this.name) await session.setData(path, this.name, node.stat.version, ctx);
      return held;
    }
    if (node) await ignoring(session.remove(path, node.stat.version, ctx), Exception.NO_NODE, Exception.BAD_VERSION);
    try {
      await this.createWithParents(session, path, this.name, true, ctx);
      return held;
    } catch (error) {
      if (!hasZkCode(error, Exception.NODE_EXISTS)) throw error;
      return { kind: 'lost', reason: 'held-by-other', ...(await this.holder(session, ctx)) };
    }
  }

  // ---- member key -----------------------------------------------------------------

  async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    const session = await this.ensureSession(ctx);
    this.memberValue = value;
    const seen = this.memberSeen;
    if (seen && seen.value === value && seen.session === session.id) return { kind: 'written', version: seen.version };
    return { kind: 'written', version: await this.writeMember(session, value, ctx) };
  }

  // ---- persistent keys ------------------------------------------------------------

  async write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const session = await this.ensureSession(ctx);
    const path = this.layout.key(key);
    switch (condition.kind) {
      case 'version': {
        const version = znodeVersion(condition.version);
        if (version === null) return { kind: 'conflict' };
        try {
          return written(key, await session.setData(path, value, version, ctx));
        } catch (error) {
          if (hasZkCode(error, Exception.BAD_VERSION) || hasZkCode(error, Exception.NO_NODE)) return { kind: 'conflict' };
          throw error;
        }
      }
      case 'absent':
        try {
          await this.createWithParents(session, path, value, false, ctx);
          return { kind: 'written', version: createdVersion(key) };
        } catch (error) {
          if (hasZkCode(error, Exception.NODE_EXISTS)) return { kind: 'conflict' };
          throw error;
        }
      case 'any':
        return this.setOrCreate(session, key, path, value, ctx);
    }
  }

  async remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const session = await this.ensureSession(ctx);
    const path = this.layout.key(key);
    if (condition.kind === 'version') {
      const version = znodeVersion(condition.version);
      if (version === null) return { kind: 'conflict' };
      try {
        await session.remove(path, version, ctx);
      } catch (error) {
        if (hasZkCode(error, Exception.BAD_VERSION) || hasZkCode(error, Exception.NO_NODE)) return { kind: 'conflict' };
        throw error;
      }
      return { kind: 'written', version: null };
    }
    await ignoring(session.remove(path, -1, ctx), Exception.NO_NODE);
    return { kind: 'written', version: null };
  }

  /** Deletes the cluster znode and everything under it, children first. */
  async removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    const session = await this.ensureSession(ctx);
    this.memberSeen = null;
    // A member may create a key meanwhile (NOT_EMPTY): walk again, a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.removeTree(session, this.layout.base, ctx);
        return { kind: 'written', version: null };
      } catch (error) {
        if (!hasZkCode(error, Exception.NOT_EMPTY) || attempt >= 4) throw error;
      }
    }
  }

  // ---- watch and lifecycle ----------------------------------------------------------

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    const stop = this.watches.add(listener);
    if (this.session?.alive) this.rearmInBackground(WATCHED_KEYS, false);
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reopenTimer?.cancel();
    this.watches.clear();
    const session = this.session;
    this.session = null;
    if (!session) return;
    const ctx = contextFor(this.clock, Math.min(this.retryTimeoutMs, 3000), 'close deadline');
    try {
      await session.close(ctx.signal);
    } finally {
      ctx.done();
    }
  }

  /**
   * For tests of session loss: drops the connection without ending the session and
   * stops pinging, as a frozen or killed agent would; the server expires the session
   * (and our ephemerals) by timeout alone. The adapter cannot be used afterwards.
   */
  abandon(): void {
    this.closed = true;
    this.reopenTimer?.cancel();
    this.watches.clear();
    this.session?.abandon();
    this.session = null;
  }

  // ---- internals --------------------------------------------------------------------

  /** The live session, or a new one when it expired or was closed. */
  private async ensureSession(ctx: DcsCallContext): Promise<ZkSession> {
    if (this.closed) throw new DcsError('closed', 'this ZooKeeper adapter is closed');
    if (this.session?.alive) return this.session;
    if (!this.opening) {
      this.opening = this.openSession(ctx).finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  private async openSession(ctx: DcsCallContext): Promise<ZkSession> {
    const session = await ZkSession.open(
      {
        hosts: this.section.hosts,
        chroot: this.section.chroot,
        requestedTimeoutMs: this.requestedTimeoutMs,
        acls: this.section.acls,
        authData: this.section.authData,
        clock: this.clock,
        logger: this.logger,
      },
      ctx.signal,
    );
    if (this.closed) {
      session.abandon();
      throw new DcsError('closed', 'this ZooKeeper adapter is closed');
    }
    this.session = session;
    this.memberSeen = null;
    session.onStateChange((state) => {
      if (this.session !== session) return;
      // Reconnected: changes made while we were away are reported by the comparison.
      if (state === 'connected') this.rearmInBackground(WATCHED_KEYS, true);
      // Expired: our ephemerals are gone. Watchers need a session; open one now.
      if (state === 'expired' && this.watches.active) this.reopenInBackground();
    });
    this.rearmInBackground(WATCHED_KEYS, true);
    return session;
  }

  private reopenInBackground(): void {
    if (this.closed || this.reopenTimer) return;
    const attempt = (): void => {
      this.reopenTimer = null;
      if (this.closed || this.session?.alive || !this.watches.active) return;
      const ctx = contextFor(this.clock, this.retryTimeoutMs, 'reconnect deadline');
      this.ensureSession(ctx)
        .catch(() => {
          if (!this.closed) this.reopenTimer = this.clock.setTimer(1000, attempt);
        })
        .finally(() => ctx.done());
    };
    this.reopenTimer = this.clock.setTimer(0, attempt);
  }

  /** Arms the watches on `keys` off any verb's deadline; failures wait for the next read or reconnect. */
  private rearmInBackground(keys: readonly WatchedKey[], report: boolean): void {
    const session = this.session;
    if (!session?.connected || this.closed) return;
    const ctx = contextFor(this.clock, Math.min(this.retryTimeoutMs, session.readTimeoutMs), 'watch deadline');
    Promise.all(keys.map((key) => this.arm(session, key, ctx, report)))
      .catch((error: unknown) => this.logger.debug(`could not arm ZooKeeper watches: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => ctx.done());
  }

  private async arm(session: ZkSession, key: WatchedKey, ctx: DcsCallContext, report: boolean): Promise<void> {
    const stat = await session.exists(this.layout.key(key), ctx, this.watches.watcherFor(key));
    this.watches.observed(key, stat, report);
  }

  private async writeMember(session: ZkSession, value: string, ctx: DcsCallContext): Promise<string> {
    const path = this.layout.member(this.name);
    let node = await session.getData(path, ctx);
    if (node && ownerOf(node.stat) !== session.id) {
      // Left by an earlier session of ours (or a namesake): it would vanish with that
      // session, so replace it with one bound to ours.
      this.logger.warn(`re-creating member znode ${path}: it belongs to another ZooKeeper session`);
      await ignoring(session.remove(path, node.stat.version, ctx), Exception.NO_NODE, Exception.BAD_VERSION);
      node = null;
    }
    let version: string;
    if (node && node.value === value) version = String(node.stat.version);
    else if (node) version = String((await session.setData(path, value, -1, ctx)).version);
    else {
      try {
        await this.createWithParents(session, path, value, true, ctx);
        version = '0';
      } catch (error) {
        if (!hasZkCode(error, Exception.NODE_EXISTS)) throw error;
        version = String((await session.setData(path, value, -1, ctx)).version);
      }
    }
    this.memberSeen = { value, session: session.id, version };
    return version;
  }

  private async setOrCreate(session: ZkSession, key: DataKey, path: string, value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    try {
      return written(key, await session.setData(path, value, -1, ctx));
    } catch (error) {
      if (!hasZkCode(error, Exception.NO_NODE)) throw error;
    }
    try {
      await this.createWithParents(session, path, value, false, ctx);
      return { kind: 'written', version: createdVersion(key) };
    } catch (error) {
      // Created by someone else in between: an unconditional write overwrites it.
      if (!hasZkCode(error, Exception.NODE_EXISTS)) throw error;
      return written(key, await session.setData(path, value, -1, ctx));
    }
  }

  private async createWithParents(session: ZkSession, path: string, value: string, ephemeral: boolean, ctx: DcsCallContext): Promise<void> {
    try {
      await session.create(path, value, ephemeral, ctx);
    } catch (error) {
      if (!hasZkCode(error, Exception.NO_NODE)) throw error;
      await session.createParents(path, ctx);
      await session.create(path, value, ephemeral, ctx);
    }
  }

  private async removeTree(session: ZkSession, path: string, ctx: DcsCallContext): Promise<void> {
    const children = await session.getChildren(path, ctx);
    if (children === null) return;
    await Promise.all(children.map((child) => this.removeTree(session, `${path}/${child}`, ctx)));
    await ignoring(session.remove(path, -1, ctx), Exception.NO_NODE);
  }

  /** Who holds the leader znode, for a `lost` outcome; nothing when it cannot be read. */
  private async holder(session: ZkSession, ctx: DcsCallContext): Promise<{ holder?: string }> {
    try {
      const node = await session.getData(this.layout.key('leader'), ctx);
      return node ? { holder: node.value } : {};
    } catch {
      return {};
    }
  }
}

function written(key: DataKey, stat: Stat): WriteOutcome {
  return { kind: 'written', version: key === 'history' ? mzxidOf(stat) : String(stat.version) };
}

/** A new znode's version is 0; history's is its mzxid, which the create does not return. */
function createdVersion(key: DataKey): string | null {
  return key === 'history' ? null : '0';
}

/** A CAS version must be a znode version (a non-negative 32-bit integer); anything else cannot match. */
function znodeVersion(version: string): number | null {
  if (!/^\d+$/.test(version)) return null;
  const n = Number(version);
  return n <= 0x7fffffff ? n : null;
}

async function ignoring(promise: Promise<void>, ...codes: number[]): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!codes.some((code) => hasZkCode(error, code))) throw error;
  }
}
