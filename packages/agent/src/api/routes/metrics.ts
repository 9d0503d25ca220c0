/** `GET /metrics`: always 200, Prometheus text; Postgres queried now, as Patroni's does (same budget as `/patroni`). */
import type { RouteContext } from '../context.js';
import { renderMetrics } from '../metrics.js';
import { writeResponse } from '../reply.js';

export async function metrics(ctx: RouteContext): Promise<void> {
  writeResponse(ctx.res, ctx.headers, 200, renderMetrics(await ctx.deps.live.get(), ctx.deps.loopDelay?.scrape()), 'text/plain');
}
