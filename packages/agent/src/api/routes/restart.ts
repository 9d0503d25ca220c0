/**
 * `POST /restart` (now or at `schedule`, with optional filters) and `DELETE /restart`
 * (drop the scheduled one). Statuses and messages follow spec/api.md §1.7.
 */
import { configIsPaused } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import type { RouteContext } from '../context.js';
import { sendError, writeResponse } from '../reply.js';
import { parseRestartRequest } from '../restart-request.js';

export async function restart(ctx: RouteContext): Promise<void> {
  const { actions, clock, logger } = ctx.deps;
  const body = await readJsonBody(ctx.req, true);
  if (!body.ok) return sendError(ctx.res, body.status);
  const cluster = await actions.loadCluster();
  if (configIsPaused(ctx.deps.source.config() ?? cluster.config?.data) && 'schedule' in body.value) {
    return writeResponse(ctx.res, ctx.headers, 500, "Can't schedule restart in the paused state");
  }
  const parsed = parseRestartRequest(body.value, clock.wallNow());
  if (!parsed.ok) return writeResponse(ctx.res, ctx.headers, parsed.status, parsed.message);

  if (parsed.schedule) {
    const scheduled = await actions.scheduleRestart({ ...parsed.request, scheduleAt: parsed.schedule.epochMs, schedule: parsed.schedule.iso });
    if (scheduled) writeResponse(ctx.res, ctx.headers, 202, 'Restart scheduled');
    else writeResponse(ctx.res, ctx.headers, 409, 'Another restart is already scheduled');
    return;
  }
  let outcome: { ok: boolean; message: string };
  try {
    outcome = await actions.restart(parsed.request);
  } catch (cause) {
    logger.error('Exception during restart', { cause: String(cause) });
    return writeResponse(ctx.res, ctx.headers, 400, 'restart failed');
  }
  writeResponse(ctx.res, ctx.headers, outcome.ok ? 200 : 503, outcome.message);
}

export async function deleteScheduledRestart(ctx: RouteContext): Promise<void> {
  if (await ctx.deps.actions.deleteScheduledRestart()) writeResponse(ctx.res, ctx.headers, 200, 'scheduled restart deleted');
  else writeResponse(ctx.res, ctx.headers, 404, 'no restarts are scheduled');
}
