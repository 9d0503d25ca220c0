/**
 * `GET /patroni`: always 200 with the status document. Peers read it during leader
 * races, so Postgres is queried now (within 2 s, else the last loop's state answers);
 * the health paths, by contrast, answer from the loop's state alone.
 */
import { buildStatusDocument } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { writeJson } from '../reply.js';

export async function patroniStatus(ctx: RouteContext): Promise<void> {
  writeJson(ctx.res, ctx.headers, 200, buildStatusDocument(await ctx.deps.live.get()));
}
