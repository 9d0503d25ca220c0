/**
 * `POST /sigterm`: Patroni's shutdown hook for its Windows test runs. pgwarden calls the
 * optional `ApiActions.sigterm` when one is wired and always answers 202.
 */
import type { RouteContext } from '../context.js';
import { writeResponse } from '../reply.js';

export function sigterm(ctx: RouteContext): void {
  ctx.deps.actions.sigterm?.();
  writeResponse(ctx.res, ctx.headers, 202, 'shutdown scheduled');
}
