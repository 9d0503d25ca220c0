/**
 * One ZooKeeper session: a node-zookeeper-client Client from connect to close, with
 * promise-returning requests that honour the caller's deadline and fail at once while
 * the connection is down (the client would otherwise queue them until it reconnects).
 *
 * Liveness is the client's: it pings whenever the socket is idle for a third of the
 * session timeout. We add the read timeout it lacks (two thirds of the session timeout,
 * as ZooKeeper's own client): a connection that stays silent that long is dropped and
 * re-opened, keeping the same session if the server still has it.
 *
 * Once the session has expired or was closed, this object is dead for good; the
 * adapter opens a new one.
 */
import type { Clock, DcsCallContext, Logger, TimerHandle } from '@pgwarden/core';
import { DcsError } from '@pgwarden/core';
import { ACL, createClient, CreateMode, Exception, Id, Permission, type Client, type Event, type Stat } from 'node-zookeeper-client';
import type { ZooKeeperAclEntry, ZooKeeperAuth } from './config.js';
import { aborted, notConnected, toDcsError } from './errors.js';
import { CM_STATE, dropConnection, guardReplies, managerState, onManagerState, onServerBytes, sever } from './internals.js';
import { int64ToString } from './stat.js';

export interface SessionOptions {
  readonly hosts: readonly string[];
  readonly chroot: string | null;
  readonly requestedTimeoutMs: number;
  readonly acls: readonly ZooKeeperAclEntry[] | null;
  readonly authData: readonly ZooKeeperAuth[];
  readonly clock: Clock;
  readonly logger: Logger;
}

export type SessionState = 'connected' | 'disconnected' | 'expired' | 'closed';

/** How long to wait, after all servers refused, before trying them again. */
const SPIN_DELAY_MS = 500;

export class ZkSession {
  /** Decimal, as ZooKeeper shows session ids and as ephemeralOwner reads back. */
  readonly id: string;
  /** The session timeout the server granted (it clamps what we ask to its min/max). */
  readonly grantedTimeoutMs: number;
  private state: SessionState = 'connected';
  private readonly listeners = new Set<(state: SessionState) => void>();
  private readonly acl: ACL[];
  private readonly stopWatching: (() => void)[] = [];
  private stallTimer: TimerHandle | null = null;
  private lastHeard: number;

  private constructor(
    private readonly client: Client,
    private readonly options: SessionOptions,
  ) {
    this.id = int64ToString(client.getSessionId());
    this.grantedTimeoutMs = client.getSessionTimeout();
    this.acl = toAcl(options.acls);
    this.lastHeard = options.clock.now();
    this.stopWatching.push(
      onServerBytes(client, () => {
        this.lastHeard = options.clock.now();
      }),
      onManagerState(client, (state) => this.onManagerState(state)),
    );
    this.scheduleStallCheck();
  }

  /** Connects and waits for the server to grant a session, until `signal` aborts. */
  static async open(options: SessionOptions, signal: AbortSignal): Promise<ZkSession> {
    const connectString = options.hosts.join(',') + (options.chroot ?? '');
    const client = createClient(connectString, { sessionTimeout: options.requestedTimeoutMs, spinDelay: SPIN_DELAY_MS, retries: 0 });
    // Stored by the client and sent on every (re)connection, before any request.
    for (const auth of options.authData) client.addAuthInfo(auth.scheme, Buffer.from(auth.credential, 'utf8'));
    guardReplies(client, (error) =>
      options.logger.warn(`dropping the ZooKeeper connection after a reply the client could not handle: ${error instanceof Error ? error.message : String(error)}`),
    );
    const connected = new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        client.removeListener('connected', onConnected);
        sever(client);
        reject(
          new DcsError('connection-failed', `could not reach ZooKeeper at ${options.hosts.join(', ')}: no session before the deadline`, {
            cause: signal.reason,
            transient: true,
          }),
        );
      };
      const onConnected = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      client.once('connected', onConnected);
    });
    client.connect();
    await connected;
    const session = new ZkSession(client, options);
    if (session.grantedTimeoutMs !== options.requestedTimeoutMs) {
      options.logger.warn(
        `ZooKeeper granted a session timeout of ${session.grantedTimeoutMs} ms instead of the ${options.requestedTimeoutMs} ms asked ` +
          '(the server clamps it to its minSessionTimeout/maxSessionTimeout); the leader lock lives that long without contact',
      );
    }
    return session;
  }

  /** The session id and password: whoever has them can take the session over (tests use this to expire it). */
  credentials(): { id: Buffer; password: Buffer } {
    return { id: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  /** Drops the connection; the client reconnects with this session by itself. */
  reconnect(): void {
    if (this.alive) dropConnection(this.client);
  }

  get alive(): boolean {
    return this.state === 'connected' || this.state === 'disconnected';
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** The read timeout: a connection silent this long is given up. */
  get readTimeoutMs(): number {
    return Math.max(500, Math.floor((this.grantedTimeoutMs * 2) / 3));
  }

  onStateChange(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- requests -------------------------------------------------------------------

  /** The value and stat of a znode, or null when it does not exist. */
  async getData(path: string, ctx: DcsCallContext, watcher?: (event: Event) => void): Promise<{ value: string; stat: Stat } | null> {
    try {
      return await this.request<{ value: string; stat: Stat }>(ctx, 'get', path, (done) => {
        const callback = (error: unknown, data: Buffer | null | undefined, stat: Stat): void =>
          done(error, { value: data ? data.toString('utf8') : '', stat });
        if (watcher) this.client.getData(path, watcher, callback);
        else this.client.getData(path, callback);
      });
    } catch (error) {
      if (isCode(error, Exception.NO_NODE)) return null;
      throw error;
    }
  }

  /** The stat of a znode, or null. With a watcher, it fires on create, change or delete. */
  exists(path: string, ctx: DcsCallContext, watcher?: (event: Event) => void): Promise<Stat | null> {
    return this.request<Stat | null>(ctx, 'exists', path, (done) => {
      const callback = (error: unknown, stat: Stat | null): void => done(error, stat ?? null);
      if (watcher) this.client.exists(path, watcher, callback);
      else this.client.exists(path, callback);
    });
  }

  /** The children's names, or null when the znode does not exist. */
  async getChildren(path: string, ctx: DcsCallContext): Promise<string[] | null> {
    try {
      return await this.request<string[]>(ctx, 'list', path, (done) => this.client.getChildren(path, (error, children) => done(error, children)));
    } catch (error) {
      if (isCode(error, Exception.NO_NODE)) return null;
      throw error;
    }
  }

  /** Creates a znode with our ACL; throws NODE_EXISTS / NO_NODE (missing parent) as ZooKeeperRequestError. */
  create(path: string, value: string, ephemeral: boolean, ctx: DcsCallContext): Promise<void> {
    const mode = ephemeral ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
    return this.request<void>(ctx, 'create', path, (done) =>
      this.client.create(path, Buffer.from(value, 'utf8'), this.acl, mode, (error) => done(error, undefined)),
    );
  }

  /** Sets the data; `version` -1 means any. Throws BAD_VERSION / NO_NODE. */
  setData(path: string, value: string, version: number, ctx: DcsCallContext): Promise<Stat> {
    return this.request<Stat>(ctx, 'set', path, (done) =>
      this.client.setData(path, Buffer.from(value, 'utf8'), version, (error, stat) => done(error, stat)),
    );
  }

  /** Deletes; `version` -1 means any. Throws BAD_VERSION / NO_NODE / NOT_EMPTY. */
  remove(path: string, version: number, ctx: DcsCallContext): Promise<void> {
    return this.request<void>(ctx, 'delete', path, (done) => this.client.remove(path, version, (error) => done(error, undefined)));
  }

  /** Creates the persistent ancestors of `path` that are missing (like mkdir -p of its parent). */
  async createParents(path: string, ctx: DcsCallContext): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let current = '';
    for (const part of parts.slice(0, -1)) {
      current += `/${part}`;
      try {
        await this.create(current, '', false, ctx);
      } catch (error) {
        if (!isCode(error, Exception.NODE_EXISTS)) throw error;
      }
    }
  }

  // ---- ending -----------------------------------------------------------------------

  /**
   * Ends the session: the server deletes its ephemeral znodes before it answers. True
   * when the server confirmed; false when it could not be told (not connected, or no
   * answer before `signal`), in which case the connection is severed and the session
   * expires by timeout.
   */
  async close(signal: AbortSignal): Promise<boolean> {
    if (!this.alive) {
      this.shutdown('closed');
      return this.state === 'closed';
    }
    if (!this.connected) {
      this.shutdown('closed');
      return false;
    }
    const confirmed = await new Promise<boolean>((resolve) => {
      const stop = onManagerState(this.client, (state) => {
        if (state === CM_STATE.CLOSED) finish(true);
      });
      const onAbort = (): void => finish(false);
      const finish = (ok: boolean): void => {
        stop();
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      if (signal.aborted) return finish(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.client.close();
    });
    this.shutdown('closed');
    return confirmed;
  }

  /** Drops the connection without ending the session and stops pinging: it expires by timeout. */
  abandon(): void {
    this.shutdown('closed');
  }

  // ---- internals --------------------------------------------------------------------

  private request<T>(ctx: DcsCallContext, what: string, path: string, send: (done: (error: unknown, result: T) => void) => void): Promise<T> {
    if (ctx.signal.aborted) return Promise.reject(aborted(`${what} ${path}`, ctx.signal.reason));
    if (this.state === 'expired') return Promise.reject(toDcsError(expiredException(), what, path));
    if (this.state === 'closed') return Promise.reject(new DcsError('closed', 'this ZooKeeper session was closed'));
    // Fail fast rather than let the client queue the request until it reconnects.
    if (!this.connected) return Promise.reject(notConnected(this.options.hosts));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(aborted(`${what} ${path}`, ctx.signal.reason));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        send((error, result) => {
          ctx.signal.removeEventListener('abort', onAbort);
          if (error) reject(toDcsError(error, what, path));
          else resolve(result);
        });
      } catch (error) {
        // The client asserts on its arguments (path syntax, data size) synchronously.
        ctx.signal.removeEventListener('abort', onAbort);
        reject(toDcsError(error, what, path));
      }
    });
  }

  private onManagerState(state: number): void {
    this.lastHeard = this.options.clock.now();
    if (state === CM_STATE.CONNECTED) this.setState('connected');
    else if (state === CM_STATE.DISCONNECTED || state === CM_STATE.CONNECTING) {
      if (this.alive) this.setState('disconnected');
    } else if (state === CM_STATE.SESSION_EXPIRED) {
      this.options.logger.warn(`ZooKeeper session 0x${BigInt(this.id).toString(16)} expired; its ephemeral znodes are gone`);
      this.shutdown('expired');
    } else if (state === CM_STATE.AUTHENTICATION_FAILED) {
      this.options.logger.error('ZooKeeper refused our auth_data; check zookeeper.auth_data');
      this.shutdown('closed');
    }
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  private shutdown(state: 'expired' | 'closed'): void {
    if (!this.alive && this.state === state) return;
    this.stallTimer?.cancel();
    this.stallTimer = null;
    for (const stop of this.stopWatching.splice(0)) stop();
    sever(this.client);
    this.setState(state);
  }

  /** Drops a connection that has been silent past the read timeout (see the file comment). */
  private scheduleStallCheck(): void {
    const every = Math.max(100, Math.floor(this.readTimeoutMs / 4));
    this.stallTimer = this.options.clock.setTimer(every, () => {
      if (!this.alive) return;
      const state = managerState(this.client);
      const waiting = state === CM_STATE.CONNECTED || state === CM_STATE.CONNECTING;
      if (waiting && this.options.clock.now() - this.lastHeard > this.readTimeoutMs) {
        this.options.logger.warn(`no answer from ZooKeeper for ${this.readTimeoutMs} ms; reconnecting`);
        this.lastHeard = this.options.clock.now();
        dropConnection(this.client);
      }
      this.scheduleStallCheck();
    });
  }
}

function isCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { zkCode?: unknown }).zkCode === code;
}

function expiredException(): { getCode(): number; getName(): string } {
  return { getCode: () => Exception.SESSION_EXPIRED, getName: () => 'SESSION_EXPIRED' };
}

function toAcl(entries: readonly ZooKeeperAclEntry[] | null): ACL[] {
  if (!entries) return [new ACL(Permission.ALL, new Id('world', 'anyone'))];
  return entries.map((entry) => new ACL(entry.permissions.reduce((bits, p) => bits | Permission[p], 0), new Id(entry.scheme, entry.id)));
}
