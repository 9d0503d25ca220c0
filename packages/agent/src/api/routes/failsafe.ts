/**
 * `/failsafe` (spec/api.md §1.6, §1.7): GET shows the members the leader last pushed;
 * POST is that push, from the leader to each replica. Both need `failsafe_mode`.
 */
import { configIsFailsafeMode } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import type { RouteContext } from '../context.js';
import { sendError, writeJson, writeResponse } from '../reply.js';

export function failsafeView(ctx: RouteContext): void {
  if (!configIsFailsafeMode(ctx.deps.source.config())) return sendError(ctx.res, 502);
  writeJson(ctx.res, ctx.headers, 200, ctx.deps.source.cluster()?.failsafe ?? {});
}

export async function failsafePush(ctx: RouteContext): Promise<void> {
  if (!configIsFailsafeMode(ctx.deps.source.config())) return sendError(ctx.res, 502);
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  const message = (await ctx.deps.actions.updateFailsafe(body.value)) ?? 'Accepted';
  writeResponse(ctx.res, ctx.headers, message === 'Accepted' ? 200 : 500, message);
}
