/**
 * `/config`: the dynamic configuration in the DCS (spec/api.md §1.6–§1.7).
 * GET answers from the last snapshot (or a fresh read before the first one) and 502
 * without a config key. PATCH merges with CAS on the config's version; PUT replaces
 * without CAS. Neither validates, as in Patroni.
 */
import { isConfigValid, toPatroniJson } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import { deepCompare, patchConfig } from '../config-patch.js';
import type { RouteContext } from '../context.js';
import { sendError, writeJson } from '../reply.js';

export async function configView(ctx: RouteContext): Promise<void> {
  const { source, actions } = ctx.deps;
  const data = source.cluster() ? source.config() : ((await actions.loadCluster()).config?.data ?? null);
  if (!data) return sendError(ctx.res, 502);
  writeJson(ctx.res, ctx.headers, 200, data);
}

export async function configPatch(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  const { config } = await ctx.deps.actions.loadCluster();
  if (!isConfigValid(config)) return sendError(ctx.res, 503);
  const data = structuredClone(config.data) as Record<string, unknown>;
  if (patchConfig(data, body.value)) {
    if (!(await ctx.deps.actions.writeConfig(toPatroniJson(data), config.version))) return sendError(ctx.res, 409);
  }
  ctx.deps.actions.wakeup();
  writeJson(ctx.res, ctx.headers, 200, data);
}

export async function configReplace(ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  const { config } = await ctx.deps.actions.loadCluster();
  if (!(config && deepCompare(body.value, config.data))) {
    if (!(await ctx.deps.actions.writeConfig(toPatroniJson(body.value), null))) return sendError(ctx.res, 502);
  }
  writeJson(ctx.res, ctx.headers, 200, body.value);
}
