/** `GET /liveness` and `GET /readiness`: bare status lines for Kubernetes probes. */
import { livenessStatus, readDynamicConfig } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { readinessWithLag } from '../readiness-rule.js';
import { writeStatusLineOnly } from '../reply.js';

export function liveness(ctx: RouteContext): void {
  writeStatusLineOnly(ctx.res, livenessStatus(ctx.deps.source.current(), ctx.deps.clock.now()));
}

/** Honours `?lag=` and `?mode=write|apply` as Patroni 4.1 does (readiness-rule.ts). */
export function readiness(ctx: RouteContext): void {
  const maximumLag = readDynamicConfig(ctx.deps.source.config()).maximumLagOnFailover;
  writeStatusLineOnly(ctx.res, readinessWithLag(ctx.deps.source.current(), ctx.query, ctx.deps.clock.now(), maximumLag));
}
