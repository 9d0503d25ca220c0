/**
 * The REST API server: Node's `http`/`https`, no framework. Health checks read the
 * loop's last published state; writes go through `ApiActions`. Every reply closes the
 * connection (Patroni is HTTP/1.0), and a handler that throws gets its socket closed
 * without a reply, as Patroni's does.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseQuery, silentLogger, systemClock, type Clock, type Logger } from '@pgwarden/core';
import { buildAllowlist } from './allowlist.js';
import { basicAuthKey, checkAccess, type AccessPolicy } from './auth.js';
import type { ApiDeps, RouteContext } from './context.js';
import { parseListen } from './listen.js';
import { LIVE_STATUS_BUDGET_MS, LiveState } from './live-state.js';
import { sendError, writeResponse, type ReplyHeaders } from './reply.js';
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
}

/** Patroni enables TCP keepalive on API connections with a 10 s idle time. */
const KEEPALIVE_IDLE_MS = 10_000;
const DEFAULT_BACKLOG = 5;

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
    };
    const headers: ReplyHeaders = {
      extra: { ...(config.http_extra_headers ?? {}), ...(https ? (config.https_extra_headers ?? {}) : {}) },
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      void dispatch(req, res, deps, policy, headers);
    };
    const server = https ? createHttpsServer(await tlsOptions(config), onRequest) : createHttpServer(onRequest);
    const api = new RestApiServer(server, https ? 'https' : 'http', config);
    api.track(logger);
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

  private track(logger: Logger): void {
    // 'connection' carries the raw TCP socket for both protocols; destroying it ends TLS too.
    this.server.on('connection', (socket: Socket) => {
      socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
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
  const found = route(method, path);
  try {
    if (!found) {
      req.resume();
      return sendError(res, 501, `Unsupported method ('${method}')`);
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
    deps.logger.warn(`Exception happened during processing of request from ${req.socket.remoteAddress ?? '?'}`, {
      method,
      path,
      cause: cause instanceof Error ? cause.stack : String(cause),
    });
    res.destroy();
  }
}
