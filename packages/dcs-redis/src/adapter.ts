/**
 * The Redis adapter: every verb is one Lua script (scripts.ts), so each check and its
 * write are atomic on the server. The leader and member keys carry a PEXPIRE of the
 * ttl and name this adapter's session (a random token per adapter instance); refreshing
 * the lock renews both, as an etcd lease keepalive does. Versions come from a per-cluster
 * counter, so they only grow (like etcd's mod_revision).
 *
 * Redis offers no consensus: see consensusCaveat and the README.
 */
import { randomUUID } from 'node:crypto';
import {
  DcsError,
  type Clock,
  type DataKey,
  type DcsAdapter,
  type DcsAdapterOptions,
  type DcsCallContext,
  type DcsCapabilities,
  type DcsWatchEvent,
  type KeyLayout,
  type LockOutcome,
  type Logger,
  type RawEntry,
  type RawSnapshot,
  type ReleaseOutcome,
  type WriteCondition,
  type WriteOutcome,
} from '@pgwarden/core';
import { createClient, toDcsError, withDeadline, type ScriptedRedis } from './client.js';
import { describeTopology, type RedisSection } from './config.js';
import { enableExpiryEvents } from './notifications.js';
import { clusterKeys, type ClusterKeys } from './scripts.js';
import { ClusterWatch } from './watch.js';

export const REDIS_CAPABILITIES: DcsCapabilities = {
  // Redis expires keys to the millisecond; 2 s keeps a loop of 1 s inside the ttl.
  minTtlSeconds: 2,
  liveness: 'loop',
  nativeWatch: true,
  ttlNegotiated: false,
  consensusCaveat:
    'Redis does not provide consensus: a Redis restart without persistence loses the leader lock, and with ' +
    'Sentinel, asynchronous replication can lose the lock at a failover, so two members may briefly both hold it. ' +
    'Keep the watchdog and fencing enabled, or use etcd3 or zookeeper for production clusters.',
};

export class RedisDcs implements DcsAdapter {
  readonly capabilities = REDIS_CAPABILITIES;
  /** The owner token of our leader and member keys. */
  readonly session: string;
  private readonly client: ScriptedRedis;
  private readonly watcher: ClusterWatch;
  private readonly section: RedisSection;
  private readonly layout: KeyLayout;
  private readonly keys: ClusterKeys;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly readOnly: boolean;
  private ttlMs: number;
  private notificationsOn = false;
  private refusedWarned = false;
  private closed = false;

  constructor(options: DcsAdapterOptions<RedisSection>) {
    this.section = options.section;
    this.layout = options.layout;
    this.keys = clusterKeys(options.layout.base);
    this.name = options.name;
    this.clock = options.clock;
    this.logger = options.logger;
    this.readOnly = options.readOnly ?? false;
    this.ttlMs = options.ttlSeconds * 1000;
    this.session = randomUUID();
    const settings = {
      section: options.section,
      connectTimeoutMs: Math.max(500, options.retryTimeoutSeconds * 1000),
      connectionName: `pgwarden-${options.name}`.replace(/[^\w.-]/g, '_'),
    };
    this.client = createClient(settings);
    this.client.on('ready', () => void this.checkNotifications());
    const subscriber = createClient(settings, { autoResubscribe: false });
    this.watcher = new ClusterWatch({
      subscriber,
      layout: options.layout,
      channel: this.keys.channel,
      db: options.section.db,
      logger: options.logger,
      notificationsOn: () => this.notificationsOn,
      poll: async () => {
        await this.client.pgwRead(this.keys.index, this.keys.channel, this.layout.prefix).catch(() => undefined);
      },
    });
  }

  /** Where this adapter connects, for messages. */
  get where(): string {
    return describeTopology(this.section.topology);
  }

  /**
   * Connects (through the sentinels, if configured) within `timeoutMs`. Throws a DcsError
   * naming the servers when none answers, or when the credentials are refused.
   */
  async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DcsError('connection-failed', `no answer within ${timeoutMs} ms (is the address right, and is Redis running?)`, { transient: true })),
        timeoutMs,
      );
    });
    // ioredis reports a refused AUTH as an 'error' event and fails connect() with
    // "Connection is closed"; the event says what to fix.
    let lastError: unknown;
    const remember = (error: unknown): void => {
      lastError = error;
    };
    this.client.on('error', remember);
    try {
      await Promise.race([this.client.connect(), timeout]);
      await Promise.race([this.client.ping(), timeout]);
    } catch (error) {
      const cause = toDcsError(lastError ?? error, 'connect', this.where);
      // With TLS 1.3 a server that wants a client certificate just resets the connection.
      const tls = this.section.tls;
      const hint =
        tls && tls.cert === undefined && /ECONNRESET/.test(cause.message)
          ? ' (if the server requires client certificates, tls-auth-clients, set redis.cert and redis.key)'
          : '';
      throw new DcsError(cause.code, `redis: cannot connect to ${this.where}: ${cause.message}${hint}`, { cause, transient: cause.transient });
    } finally {
      clearTimeout(timer);
      this.client.off('error', remember);
    }
  }

  /** `/config`'s ttl changed: the next refreshLeader/touchMember set the new expiry. */
  setTtl(ttlSeconds: number): void {
    this.ttlMs = ttlSeconds * 1000;
  }

  async read(ctx: DcsCallContext, _options: { readonly linearizable: boolean }): Promise<RawSnapshot> {
    // Every read goes to the master, so it is as fresh as Redis can be.
    const reply = await this.run(ctx, 'read', () => this.client.pgwRead(this.keys.index, this.keys.channel, this.layout.prefix));
    const flat = Array.isArray(reply) ? (reply as unknown[]).map(String) : [];
    const entries: RawEntry[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const key = this.layout.relative(flat[i]!);
      if (key === null) continue;
      const session = flat[i + 3]!;
      entries.push({ key, value: flat[i + 1]!, version: flat[i + 2]!, session: session === '' ? null : session });
    }
    return { kind: 'snapshot', entries };
  }

  async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    const ttlMs = this.ttlMs;
    const reply = (await this.run(ctx, 'acquire leader', () =>
      this.client.pgwAcquire(this.layout.key('leader'), this.keys.index, this.keys.revision, this.name, this.session, ttlMs, this.keys.channel),
    )) as [number, string];
    if (reply[0] === 1) return { kind: 'held', validUntil: sentAt + ttlMs };
    return reply[1] ? { kind: 'lost', reason: 'held-by-other', holder: reply[1] } : { kind: 'lost', reason: 'held-by-other' };
  }

  async refreshLeader(_current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    const ttlMs = this.ttlMs;
    const reply = (await this.run(ctx, 'refresh leader', () =>
      this.client.pgwRefresh(this.layout.key('leader'), this.layout.member(this.name), this.name, this.session, ttlMs),
    )) as [number, string?];
    if (reply[0] === 1) return { kind: 'held', validUntil: sentAt + ttlMs };
    // pgwarden does not re-create a vanished leader key: the member races again instead.
    if (reply[0] === 0) return { kind: 'lost', reason: 'not-held' };
    return { kind: 'lost', reason: 'held-by-other', ...(reply[1] !== undefined && { holder: reply[1] }) };
  }

  async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    const released = await this.run(ctx, 'release leader', () =>
      this.client.pgwRelease(this.layout.key('leader'), this.keys.index, this.name, this.keys.channel),
    );
    return released === 1 ? { kind: 'released' } : { kind: 'not-owner' };
  }

  async takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    const ttlMs = this.ttlMs;
    await this.run(ctx, 'take leader', () =>
      this.client.pgwTake(this.layout.key('leader'), this.keys.index, this.keys.revision, this.name, this.session, ttlMs, this.keys.channel),
    );
    return { kind: 'held', validUntil: sentAt + ttlMs };
  }

  async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    const relative = `members/${this.name}`;
    const version = await this.run(ctx, 'touch member', () =>
      this.client.pgwTouch(this.layout.key(relative), this.keys.index, this.keys.revision, value, this.session, this.ttlMs, this.keys.channel, relative),
    );
    return { kind: 'written', version: String(version) };
  }

  async write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const expected = condition.kind === 'version' ? condition.version : '';
    const version = await this.run(ctx, `write ${key}`, () =>
      this.client.pgwWrite(this.layout.key(key), this.keys.index, this.keys.revision, value, condition.kind, expected, this.keys.channel, key),
    );
    return version === null ? { kind: 'conflict' } : { kind: 'written', version: String(version) };
  }

  async remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const kind = condition.kind === 'version' ? 'version' : 'any';
    const expected = condition.kind === 'version' ? condition.version : '';
    const removed = await this.run(ctx, `delete ${key}`, () =>
      this.client.pgwRemove(this.layout.key(key), this.keys.index, kind, expected, this.keys.channel, key),
    );
    return removed === null ? { kind: 'conflict' } : { kind: 'written', version: null };
  }

  async removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.run(ctx, 'delete cluster', () => this.client.pgwRemoveCluster(this.keys.index, this.keys.channel, this.layout.prefix));
    return { kind: 'written', version: null };
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    if (this.closed) return () => undefined;
    return this.watcher.add(listener);
  }

  /** Ends our session (deletes the leader and member keys still bound to it) within `timeoutMs`, then disconnects. */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      if (!this.readOnly && this.client.status === 'ready') {
        const relative = `members/${this.name}`;
        await withDeadline({ signal: controller.signal, deadline: this.clock.now() + timeoutMs }, 'end session', this.section, () =>
          this.client.pgwEndSession(this.layout.key('leader'), this.layout.key(relative), this.keys.index, this.session, this.keys.channel, relative),
        );
      }
    } catch (error) {
      this.logger.warn(`redis: could not remove our keys on close; they expire with their ttl (${(error as Error).message})`);
    } finally {
      clearTimeout(timer);
      this.client.disconnect();
    }
  }

  /** Disconnects without touching our keys, as a killed agent would: they expire by ttl. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    this.client.disconnect();
  }

  private run<T>(ctx: DcsCallContext, what: string, request: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DcsError('closed', `redis ${what}: the adapter is closed`, { transient: false }));
    return withDeadline(ctx, what, this.section, request);
  }

  private async checkNotifications(): Promise<void> {
    if (this.readOnly) return;
    const result = await enableExpiryEvents(this.client);
    this.notificationsOn = result.on;
    if (!result.on && !this.refusedWarned) {
      this.refusedWarned = true;
      this.logger.warn(
        `redis: cannot enable keyspace events for expired keys (CONFIG SET notify-keyspace-events Exe: ${result.reason}); ` +
          'the watch polls once a second instead. Set notify-keyspace-events to include "Exe" in redis.conf to avoid the polling.',
      );
    }
  }
}
