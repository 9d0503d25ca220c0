/**
 * Cluster-level reads (spec/api.md §1.6). `/cluster` reads the DCS afresh, as patronictl
 * expects an up-to-date member list; `/history` uses the loop's snapshot when there is one.
 */
import { clusterAsJson } from '@pgwarden/core';
import type { RouteContext } from '../context.js';
import { withLsnFields } from '../cluster-lsn.js';
import { writeJson } from '../reply.js';

export async function clusterView(ctx: RouteContext): Promise<void> {
  const cluster = await ctx.deps.actions.loadCluster();
  // Roles and pause as the engine sees them: the configuration in force, not a refused document.
  const body = clusterAsJson(cluster, ctx.deps.source.current().scope, ctx.deps.source.config() ?? cluster.config?.data ?? null);
  // Patroni 4.1's receive/replay positions and lags per member (cluster-lsn.ts).
  writeJson(ctx.res, ctx.headers, 200, withLsnFields(body, cluster));
}

export async function history(ctx: RouteContext): Promise<void> {
  const cluster = ctx.deps.source.cluster() ?? (await ctx.deps.actions.loadCluster());
  writeJson(ctx.res, ctx.headers, 200, cluster.history?.lines ?? []);
}
