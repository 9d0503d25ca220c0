/** `POST /reload`: like SIGHUP, asynchronous, so always 202. */
import type { RouteContext } from '../context.js';
import { writeResponse } from '../reply.js';

export function reload(ctx: RouteContext): void {
  ctx.deps.actions.reload();
  writeResponse(ctx.res, ctx.headers, 202, 'reload scheduled');
}
