/**
 * `POST /reinitialize`: rebuild this replica. `{"force": true}` cancels a running task
 * first; `{"from_leader": true}` clones from the leader, not from a clonefrom replica. Patroni carries on after answering 400 to a bad body; pgwarden stops.
 */
import { parsePatroniBool } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import type { RouteContext } from '../context.js';
import { sendError, writeResponse } from '../reply.js';

export async function reinitialize(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, true);
  if (!body.ok) return sendError(ctx.res, body.status);
  const force = parsePatroniBool(body.value['force']) === true;
  // Patroni 4.1: `from_leader` clones from the leader rather than a clonefrom replica.
  const fromLeader = parsePatroniBool(body.value['from_leader']) === true;
  const refusal = await ctx.deps.actions.reinitialize(force, fromLeader);
  if (refusal === null) writeResponse(ctx.res, ctx.headers, 200, 'reinitialize started');
  else writeResponse(ctx.res, ctx.headers, 503, refusal);
}
