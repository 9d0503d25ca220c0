/**
 * Connections to the etcd endpoints: one `etcd3` client per endpoint, so pgwarden (not
 * the library) decides which endpoint a call goes to. Calls stick to one endpoint and
 * move to the next when it fails. The library's safety nets are off: no retry policy,
 * no circuit breaker, no automatic lease keepalive (leases are driven by the adapter),
 * so core's deadline and retry policy are the only ones in play.
 */
import { readFileSync } from 'node:fs';
import type { Clock, Logger } from '@pgwarden/core';
import { DcsError } from '@pgwarden/core';
import { Etcd3, type IOptions } from 'etcd3';
import type { Etcd3Section } from './config.js';
import { endpointUrls } from './config.js';
import { configHint, deadlineError, isNotConnected, toDcsError, withEarlierHint } from './errors.js';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type HostPolicy = ReturnType<NonNullable<FaultHandling['host']>>;
type GlobalPolicy = NonNullable<FaultHandling['global']>;

/**
 * A policy that runs the call once and lets its error through: etcd3 only ever calls
 * `execute` on it. (cockatiel's own `noop` is not a dependency of this package.)
 */
function passThroughPolicy<T extends HostPolicy | GlobalPolicy>(): T {
  const never = new AbortController().signal;
  const policy = {
    execute: <R>(fn: (context: { signal: AbortSignal }) => PromiseLike<R> | R) => Promise.resolve().then(() => fn({ signal: never })),
    onSuccess: () => ({ dispose: () => {} }),
    onFailure: () => ({ dispose: () => {} }),
  };
  return policy as unknown as T;
}

/** grpc deadlines are wall-clock; the contract's are on the monotonic clock. */
export interface CallOptions {
  readonly deadline: Date;
}

export interface CallContext {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

export interface EndpointsOptions {
  readonly section: Etcd3Section;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Deadline for the token exchange when auth is on (it runs inside another call). */
  readonly authTimeoutMs: number;
}

export class Endpoints {
  readonly urls: readonly string[];
  private readonly clients: Etcd3[];
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
    const shared = clientOptions(options.section, options.authTimeoutMs);
    this.clients = this.urls.map((url) => new Etcd3({ ...shared, hosts: url }));
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
    return { deadline: new Date(Date.now() + Math.max(0, ctx.deadline - this.clock.now())) };
  }

  /**
   * Runs one request on the current endpoint, bounded by the context's deadline and
   * signal. When the endpoint could not even be connected to (the request never left),
   * the next endpoint gets it at once, each at most once per call; any other failure
   * moves later calls to the next endpoint and is reported to core.
   */
  async call<T>(ctx: CallContext, what: string, request: (client: Etcd3, options: CallOptions) => Promise<T>): Promise<T> {
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
  async callOn<T>(index: number, ctx: CallContext, what: string, request: (client: Etcd3, options: CallOptions) => Promise<T>): Promise<T> {
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
  currentClient(): { client: Etcd3; index: number; url: string } {
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

function clientOptions(section: Etcd3Section, authTimeoutMs: number): Omit<IOptions, 'hosts'> {
  const options: Omit<IOptions, 'hosts'> = {
    faultHandling: { host: () => passThroughPolicy<HostPolicy>(), global: passThroughPolicy<GlobalPolicy>() },
    // Only the token exchange uses this: every other call passes its own deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + authTimeoutMs }),
    grpcOptions: {
      // Our own subchannels, reconnecting quickly after a restart instead of backing off
      // for up to two minutes (grpc's default) while the server is already back.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Notice a server that stopped answering (frozen, partitioned) on idle streams.
      // etcd refuses pings more often than every 5 s by default.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
  };
  if (section.username !== undefined) {
    options.auth = { username: section.username, password: section.password ?? '' };
  }
  if (section.protocol === 'https' && (section.cacert || section.cert)) {
    // grpc accepts a null root certificate (use the system's); etcd3's type does not say so.
    const rootCertificate = section.cacert ? readFileSync(section.cacert) : (null as unknown as Buffer);
    const certChain = section.cert ? readFileSync(section.cert) : undefined;
    // Patroni allows the key inside the cert file.
    const privateKey = section.key ? readFileSync(section.key) : certChain;
    options.credentials = { rootCertificate, ...(certChain && { certChain }), ...(privateKey && { privateKey }) };
  }
  return options;
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
