/**
 * Connections to the etcd endpoints: one gateway client per endpoint, so pgwarden decides
 * which endpoint a call goes to. Calls stick to one endpoint and move to the next when it
 * fails. There is no retry and no background keepalive here: leases are driven by the
 * adapter, and core's deadline and retry policy are the only ones in play.
 */
import { readFileSync } from 'node:fs';
import type { Clock, Logger } from '@pgwarden/core';
import { DcsError } from '@pgwarden/core';
import type { Etcd3Section } from './config.js';
import { endpointUrls } from './config.js';
import { configHint, deadlineError, isNotConnected, toDcsError, withEarlierHint } from './errors.js';
import { EtcdClient } from './etcd-client.js';
import type { GatewayOptions, RequestOptions } from './gateway.js';

/** What one request gets: the time left before the call's deadline, and its signal. */
export type CallOptions = RequestOptions;

export interface CallContext {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

export interface EndpointsOptions {
  readonly section: Etcd3Section;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class Endpoints {
  readonly urls: readonly string[];
  private readonly clients: EtcdClient[];
  private current = 0;
  private closed = false;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly failureListeners = new Set<(error: DcsError) => void>();
  /** Per endpoint, the configuration hint (TLS files, credentials) its last failure gave. */
  private readonly lastHints: (string | null)[];
  /** Whether etcd3.username is set (error messages say what to set when it is not). */
  readonly hasCredentials: boolean;

  constructor(options: EndpointsOptions) {
    this.clock = options.clock;
    this.logger = options.logger;
    this.urls = endpointUrls(options.section);
    this.hasCredentials = options.section.username !== undefined;
    const shared = clientOptions(options.section);
    this.clients = this.urls.map((url) => new EtcdClient({ ...shared, url }));
    this.lastHints = this.urls.map(() => null);
  }

  get currentUrl(): string {
    return this.urls[this.current]!;
  }

  /** Make `index` the endpoint calls go to (after the start-up probe found it alive). */
  prefer(index: number): void {
    this.current = index % this.urls.length;
  }

  /** Called on every transient failure (the cache stops trusting its watch). */
  onFailure(listener: (error: DcsError) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  callOptions(ctx: CallContext): CallOptions {
    return { timeoutMs: Math.max(0, ctx.deadline - this.clock.now()), signal: ctx.signal };
  }

  /**
   * Runs one request on the current endpoint, bounded by the context's deadline and
   * signal. When the endpoint could not even be connected to (the request never left),
   * the next endpoint gets it at once, each at most once per call; any other failure
   * moves later calls to the next endpoint and is reported to core.
   */
  async call<T>(ctx: CallContext, what: string, request: (client: EtcdClient, options: CallOptions) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOn(this.current, ctx, what, request);
      } catch (error) {
        const more = attempt + 1 < this.urls.length && !ctx.signal.aborted && this.clock.now() < ctx.deadline;
        if (isNotConnected(error instanceof DcsError ? error.cause : error) && more) continue;
        throw error;
      }
    }
  }

  /** One request on endpoint `index`, no fail-over (the start-up probe asks each in turn). */
  async callOn<T>(index: number, ctx: CallContext, what: string, request: (client: EtcdClient, options: CallOptions) => Promise<T>): Promise<T> {
    if (this.closed) throw new DcsError('closed', `etcd ${what}: the adapter is closed`);
    const url = this.urls[index]!;
    if (ctx.signal.aborted) throw deadlineError(what, url, ctx.signal.reason);
    try {
      const answer = await abortable(request(this.clients[index]!, this.callOptions(ctx)), ctx.signal, () => deadlineError(what, url, ctx.signal.reason));
      this.lastHints[index] = null;
      return answer;
    } catch (error) {
      const failure = this.rememberHint(index, toDcsError(error, url, what, this.hasCredentials));
      if (failure.transient) this.failed(index, failure);
      throw failure;
    }
  }

  /** Keeps a configuration hint for the endpoint, or adds the one kept to a failure without its own. */
  private rememberHint(index: number, failure: DcsError): DcsError {
    const hint = configHint(failure.message, this.hasCredentials);
    if (hint !== null) {
      this.lastHints[index] = hint;
      return failure;
    }
    return withEarlierHint(failure, this.lastHints[index] ?? null);
  }

  /** The client of the current endpoint, for streams the caller manages itself. */
  currentClient(): { client: EtcdClient; index: number; url: string } {
    if (this.closed) throw new DcsError('closed', 'etcd: the adapter is closed');
    return { client: this.clients[this.current]!, index: this.current, url: this.currentUrl };
  }

  /** Moves away from endpoint `index` after it failed (no-op if another call already did). */
  failed(index: number, error: DcsError): void {
    if (this.current === index && this.urls.length > 1) {
      this.current = (index + 1) % this.urls.length;
      this.logger.debug(`etcd: ${this.urls[index]} failed (${error.message}); using ${this.currentUrl}`);
    }
    for (const listener of this.failureListeners) listener(error);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const client of this.clients) client.close();
  }
}

function clientOptions(section: Etcd3Section): Omit<GatewayOptions, 'url'> {
  const credentials = section.username !== undefined ? { username: section.username, password: section.password ?? '' } : undefined;
  if (section.protocol !== 'https') return credentials ? { credentials } : {};
  const ca = section.cacert ? readFileSync(section.cacert) : undefined;
  const cert = section.cert ? readFileSync(section.cert) : undefined;
  // Patroni allows the key inside the cert file.
  const key = section.key ? readFileSync(section.key) : cert;
  return { ...(credentials && { credentials }), tls: { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) } };
}

/** Settles with the promise, or rejects when the signal aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      promise.catch(() => {});
      reject(onAbort());
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
