/** `GET /metrics`: always 200, Prometheus text. */
import type { RouteContext } from '../context.js';
import { renderMetrics } from '../metrics.js';
import { writeResponse } from '../reply.js';

export function metrics(ctx: RouteContext): void {
  writeResponse(ctx.res, ctx.headers, 200, renderMetrics(ctx.deps.source.current()), 'text/plain');
}
