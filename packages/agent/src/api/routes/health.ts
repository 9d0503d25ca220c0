/**
 * The generic handler for GET, HEAD and OPTIONS on any path without its own handler:
 * the health decision from core, answered from the last loop's state. HEAD and OPTIONS
 * get only the status line (HAProxy's `option httpchk` sends `OPTIONS /`).
 */
import { healthStatus } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { writeJson, writeStatusLineOnly } from '../reply.js';

export function healthCheck(ctx: RouteContext): void {
  const { status, body } = healthStatus(ctx.deps.source.current(), { path: ctx.path, query: ctx.query, now: ctx.deps.clock.now() });
  writeJson(ctx.res, ctx.headers, status, body);
}

export function healthCheckStatusOnly(ctx: RouteContext): void {
  const { status } = healthStatus(ctx.deps.source.current(), { path: ctx.path, query: ctx.query, now: ctx.deps.clock.now() });
  writeStatusLineOnly(ctx.res, status);
}
