/**
 * `GET /patroni`: always 200 with the status document. Peers read it during leader
 * races; it comes from the last loop's observation, like the health checks.
 */
import { buildStatusDocument } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { writeJson } from '../reply.js';

export function patroniStatus(ctx: RouteContext): void {
  writeJson(ctx.res, ctx.headers, 200, buildStatusDocument(ctx.deps.source.current()));
}
