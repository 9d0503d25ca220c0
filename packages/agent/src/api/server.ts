/**
 * The REST API server: Node's `http`/`https`, no framework. Health checks read the
 * loop's last published state; writes go through `ApiActions`. Every reply closes the
 * connection (Patroni is HTTP/1.0).
 *
 * Where pgwarden differs from Patroni on purpose:
 * - a handler that throws gets a 500 error page (Patroni closes the socket without a
 *   reply, which clients report as a protocol error and retry);
 * - a malformed request gets a complete response with Python's status code (Python
 *   sends its early error pages without a status line), see connection-guard.ts;
 * - a slow client is cut off (Python waits forever), see http-limits.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseQuery, silentLogger, systemClock, type Clock, type Logger } from '@pgwarden/core';
import { buildAllowlist } from './allowlist.js';
import { basicAuthKey, checkAccess, type AccessPolicy } from './auth.js';
import { setBodyDeadline } from './body.js';
import { ConnectionGuard } from './connection-guard.js';
import type { ApiDeps, RouteContext } from './context.js';
import { MAX_HEAD_BYTES, MAX_HEADER_LINES, resolveTimeouts, type HttpTimeouts } from './http-limits.js';
import { parseListen } from './listen.js';
import { LIVE_STATUS_BUDGET_MS, LiveState } from './live-state.js';
import type { LoopDelayMonitor } from './loop-delay.js';
import { responded, sendError, writeResponse, type ReplyHeaders } from './reply.js';
import { unsupportedMethod } from './request-line.js';
import { route } from './router.js';
import { tlsEnabled, tlsOptions } from './tls.js';
import type { ApiActions, NodeStateSource, RestApiConfig } from './types.js';

export interface RestApiOptions {
  readonly config: RestApiConfig;
  readonly source: NodeStateSource;
  readonly actions: ApiActions;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Between DCS reads while a switchover is awaited; Patroni waits 1 s. */
  readonly failoverPollIntervalMs?: number;
  /** How long `/patroni` waits for its live query before answering with the loop's state (Patroni's peers give up at 2 s). */
  readonly liveBudgetMs?: number;
  /** Deadlines for slow clients (http-limits.ts has the defaults and the reasons); tests shorten them. */
  readonly timeouts?: Partial<HttpTimeouts>;
  /**
   * The event loop's lateness, shown in `/metrics` as `pgwarden_event_loop_delay_seconds`.
   * The daemon keeps one for the life of the process (the server is rebuilt on reload).
   */
  readonly loopDelay?: LoopDelayMonitor;
  /** Called for every request before it is served (the daemon sizes V8's young generation by the request rate). */
  readonly onRequest?: () => void;
}

/** Patroni enables TCP keepalive on API connections with a 10 s idle time. */
const KEEPALIVE_IDLE_MS = 10_000;
/**
 * The listen backlog when `restapi.request_queue_size` is not set. Patroni's is 5, but
 * its connections are accepted by a thread of their own; here the event loop accepts,
 * and while it is busy for a few milliseconds (a GC pause, a loop cycle, a core taken by
 * Postgres) checks pile up in this queue. Past it the kernel drops their SYNs and each
 * client retries after a second or more: a flapping backend behind a 1–2 s check
 * timeout. A longer queue costs nothing while it is empty.
 */
const DEFAULT_BACKLOG = 511;
/** Node runs its connection check even with both deadlines off; 2^31−1 ms (24.8 days) is the longest timer it accepts. */
const NODE_CHECK_INTERVAL_OFF_MS = 2 ** 31 - 1;

export class RestApiServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly protocol: 'http' | 'https',
    private readonly config: RestApiConfig,
  ) {}

  static async start(options: RestApiOptions): Promise<RestApiServer> {
    const { config } = options;
    const logger = options.logger ?? silentLogger;
    const listen = parseListen(config.listen);
    const https = tlsEnabled(config);
    const policy: AccessPolicy = {
      allowlist: await buildAllowlist(config.allowlist, config.allowlist_include_members === true, logger),
      requireClientCert: https && (config.verify_client === 'optional' || config.verify_client === 'required'),
      basicAuthKey: basicAuthKey(config.authentication),
    };
    const clock = options.clock ?? systemClock;
    const deps: ApiDeps = {
      source: options.source,
      actions: options.actions,
      clock,
      logger,
      failoverPollIntervalMs: options.failoverPollIntervalMs ?? 1000,
      live: new LiveState(options.source, clock, logger, options.liveBudgetMs ?? LIVE_STATUS_BUDGET_MS),
      ...(options.loopDelay && { loopDelay: options.loopDelay }),
    };
    const headers: ReplyHeaders = {
      extra: { ...(config.http_extra_headers ?? {}), ...(https ? (config.https_extra_headers ?? {}) : {}) },
    };
    const timeouts = resolveTimeouts(options.timeouts);
    const guard = new ConnectionGuard(timeouts, logger);
    const observe = options.onRequest;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      observe?.();
      const refused = guard.onRequest(req, res);
      if (refused === 'already-answered') {
        req.resume();
        return;
      }
      if (refused) {
        req.resume();
        return sendError(res, refused.status, refused.message);
      }
      setBodyDeadline(req, timeouts.bodyMs);
      dispatch(req, res, deps, policy, headers).catch((cause: unknown) => {
        // dispatch catches handler errors itself; this is the last resort (a throwing logger).
        if (!res.destroyed) res.destroy();
        process.emitWarning(`pgwarden REST API: request dispatch failed: ${String(cause)}`);
      });
    };
    const httpOptions: ServerOptions = {
      // Python's http.server serves HTTP/1.1 requests without a Host header; HAProxy checks may omit it.
      requireHostHeader: false,
      maxHeaderSize: MAX_HEAD_BYTES,
      // The connection guard keeps the head and request deadlines with a timer per
      // connection (request-deadline.ts); Node's own check would wake the server on an
      // interval whether or not anyone is connected, so it is off and its interval at
      // the longest a timer allows.
      headersTimeout: 0,
      requestTimeout: 0,
      connectionsCheckingInterval: NODE_CHECK_INTERVAL_OFF_MS,
    };
    const server = https
      ? // A TLS handshake is part of the request head: the same deadline (Node's default is 120 s).
        createHttpsServer({ ...(await tlsOptions(config)), ...httpOptions, handshakeTimeout: timeouts.headersMs }, onRequest)
      : createHttpServer(httpOptions, onRequest);
    // Node keeps at most this many headers (it drops the rest silently); 100 or more → 431, as in Python.
    server.maxHeadersCount = MAX_HEADER_LINES;
    server.setTimeout(timeouts.idleMs);
    const api = new RestApiServer(server, https ? 'https' : 'http', config);
    api.track(logger, guard);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: listen.host, port: listen.port, backlog: config.request_queue_size ?? DEFAULT_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      logger.error(`Couldn't start a service on '${listen.host ?? '*'}:${listen.port}', please check your \`restapi.listen\` configuration`);
      throw cause;
    });
    return api;
  }

  private track(logger: Logger, guard: ConnectionGuard): void {
    // 'connection' carries the raw TCP socket for both protocols; destroying it ends TLS too.
    this.server.on('connection', (socket: Socket) => {
      socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // The guard watches the socket the HTTP parser reads: under TLS, the decrypted one.
    this.server.on(this.protocol === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => guard.attach(socket));
    this.server.on('clientError', (err: Error & { code?: string }, socket: Socket) => guard.onClientError(err, socket));
    this.server.on('connect', (req: IncomingMessage, socket: Socket) => guard.onConnect(req, socket));
    this.server.on('timeout', (socket: Socket) => guard.onTimeout(socket));
    this.server.on('tlsClientError', (err: Error) => logger.debug('TLS handshake failed', { cause: err.message }));
  }

  /** The bound address; with port 0 in `listen`, the port the system picked. */
  address(): { host: string; port: number } {
    const info = this.server.address() as AddressInfo;
    return { host: info.address, port: info.port };
  }

  /** A base URL a local client can use (`http://127.0.0.1:8008`). */
  get url(): string {
    const { host, port } = this.address();
    const shown = host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `${this.protocol}://${shown}:${port}`;
  }

  /** What members publish as `api_url`: `connect_address` (or `listen`) plus `/patroni`. */
  get apiUrl(): string {
    const address = this.config.connect_address ?? this.config.listen;
    return `${this.protocol}://${address}/patroni`;
  }

  /**
   * Re-reads `certfile`, `keyfile` and `cafile` and uses them for new connections, as
   * Patroni does when the certificate on disk changes (e.g. after a renewal).
   */
  async reloadCertificates(): Promise<void> {
    if (this.protocol !== 'https') return;
    (this.server as HttpsServer).setSecureContext(await tlsOptions(this.config));
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

function splitTarget(target: string): { path: string; search: string } {
  const noFragment = target.split('#', 1)[0] ?? '';
  const q = noFragment.indexOf('?');
  return q < 0 ? { path: noFragment, search: '' } : { path: noFragment.slice(0, q), search: noFragment.slice(q + 1) };
}

async function dispatch(req: IncomingMessage, res: ServerResponse, deps: ApiDeps, policy: AccessPolicy, headers: ReplyHeaders): Promise<void> {
  const method = req.method ?? 'GET';
  const { path, search } = splitTarget(req.url ?? '/');
  try {
    const found = route(method, path);
    if (!found) {
      req.resume();
      const { status, message } = unsupportedMethod(method);
      return sendError(res, status, message);
    }
    if (found.protected) {
      const denied = await checkAccess(req, policy, deps.source.cluster());
      if (denied) {
        req.resume();
        return writeResponse(res, headers, denied.status, denied.message, 'text/html', denied.headers);
      }
    }
    const ctx: RouteContext = { req, res, path, query: parseQuery(search), deps, headers };
    await found.handler(ctx);
  } catch (cause) {
    deps.logger.error(`Exception happened during processing of request from ${req.socket.remoteAddress ?? '?'}`, {
      method,
      path,
      cause: cause instanceof Error ? cause.stack : String(cause),
    });
    // Patroni closes the socket without a reply here; pgwarden answers 500 instead.
    if (!responded(res)) {
      req.resume();
      sendError(res, 500, 'Internal Server Error');
    } else if (!res.writableEnded) {
      res.destroy(); // a reply was cut off half way: closing is the only honest end
    }
  }
}
