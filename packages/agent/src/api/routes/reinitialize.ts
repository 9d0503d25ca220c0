/**
 * `POST /reinitialize`: rebuild this replica from the leader. `{"force": true}` cancels
 * a running task first. Patroni carries on after answering 400 to a bad body; pgwarden stops.
 */
import { parsePatroniBool } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import type { RouteContext } from '../context.js';
import { sendError, writeResponse } from '../reply.js';

export async function reinitialize(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, true);
  if (!body.ok) return sendError(ctx.res, body.status);
  const force = parsePatroniBool(body.value['force']) === true;
  const refusal = await ctx.deps.actions.reinitialize(force);
  if (refusal === null) writeResponse(ctx.res, ctx.headers, 200, 'reinitialize started');
  else writeResponse(ctx.res, ctx.headers, 503, refusal);
}
