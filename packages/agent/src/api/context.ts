/** What every route handler gets: the exchange, the parsed URL and the server's dependencies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, HealthQuery, Logger } from '@pgwarden/core';
import type { LiveState } from './live-state.js';
import type { LoopDelayMonitor } from './loop-delay.js';
import type { ReplyHeaders } from './reply.js';
import type { ApiActions, NodeStateSource } from './types.js';

export interface ApiDeps {
  readonly source: NodeStateSource;
  readonly actions: ApiActions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Between DCS reads while waiting for a switchover's outcome (Patroni: 1 s). */
  readonly failoverPollIntervalMs: number;
  /** The live status for `/patroni` and `/metrics`: one query shared by concurrent requests, 2 s budget. */
  readonly live: LiveState;
  /** The event loop's lateness, for `/metrics` (absent in servers built without one). */
  readonly loopDelay?: LoopDelayMonitor;
}

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The URL path without the query string. */
  readonly path: string;
  readonly query: HealthQuery;
  readonly deps: ApiDeps;
  readonly headers: ReplyHeaders;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;
