/** `GET /liveness` and `GET /readiness`: bare status lines for Kubernetes probes. */
import { livenessStatus, readinessStatus } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { writeStatusLineOnly } from '../reply.js';

export function liveness(ctx: RouteContext): void {
  writeStatusLineOnly(ctx.res, livenessStatus(ctx.deps.source.current(), ctx.deps.clock.now()));
}

export function readiness(ctx: RouteContext): void {
  writeStatusLineOnly(ctx.res, readinessStatus(ctx.deps.source.current(), ctx.deps.clock.now()));
}
