/**
 * `POST /switchover`, `POST /failover` and `DELETE /switchover` (spec/api.md §1.7).
 * An immediate request writes the `failover` key, wakes the loop and then watches the
 * DCS until the leader changes, the key vanishes, or `2*max(10, loop_wait)` polls pass.
 */
import { parsePatroniInt, type Cluster } from '@pgwarden/core';
import { readJsonBody } from '../body.js';
import type { RouteContext } from '../context.js';
import { failoverCandidates, validateFailoverRequest, type FailoverAction } from '../failover-request.js';
import { sendError, writeResponse } from '../reply.js';

const title = (action: FailoverAction): string => (action === 'switchover' ? 'Switchover' : 'Failover');
const pastTense = (action: FailoverAction): string => (action === 'switchover' ? 'switched' : 'failed');

async function failoverRequest(ctx: RouteContext, requested: FailoverAction): Promise<void> {
  const { actions, clock } = ctx.deps;
  const body = await readJsonBody(ctx.req, false);
  if (!body.ok) return sendError(ctx.res, body.status);
  const cluster = await actions.loadCluster();
  const checked = validateFailoverRequest(body.value, requested, cluster, clock.wallNow());
  if (!checked.ok) return writeResponse(ctx.res, ctx.headers, checked.status, checked.message);
  const { plan } = checked;

  if (!plan.scheduledAt) {
    const candidates = failoverCandidates(cluster, plan);
    if ('error' in candidates) return writeResponse(ctx.res, ctx.headers, 412, candidates.error);
    if (!(await actions.hasHealthyCandidate(candidates.members))) {
      return writeResponse(ctx.res, ctx.headers, 412, `${plan.action} is not possible: no good candidates have been found`);
    }
  }
  if (!(await actions.writeFailover({ leader: plan.leader, candidate: plan.candidate, scheduledAt: plan.scheduledAt }))) {
    return writeResponse(ctx.res, ctx.headers, 503, 'failed to write failover key into DCS');
  }
  actions.wakeup();
  if (plan.scheduledAt) return writeResponse(ctx.res, ctx.headers, 202, `${title(plan.action)} scheduled`);
  const [status, message] = await pollOutcome(ctx, cluster.leader?.name ?? null, plan.candidate, plan.action);
  writeResponse(ctx.res, ctx.headers, status, message);
}

async function pollOutcome(ctx: RouteContext, oldLeader: string | null, candidate: string | null, action: FailoverAction): Promise<[number, string]> {
  const { actions, clock, source, logger } = ctx.deps;
  const loopWait = parsePatroniInt(source.config()?.['loop_wait']) ?? 10;
  const attempts = 2 * Math.max(10, loopWait);
  for (let i = 0; i < attempts; i++) {
    await clock.sleep(ctx.deps.failoverPollIntervalMs);
    let cluster: Cluster;
    try {
      cluster = await actions.loadCluster();
    } catch (cause) {
      logger.debug(`Exception occurred during polling ${action} result`, { cause: String(cause) });
      continue;
    }
    const leader = cluster.leader?.name;
    if (leader && leader !== oldLeader) {
      if (!candidate || candidate === leader) return [200, `Successfully ${pastTense(action)} over to "${leader}"`];
      const word = pastTense(action);
      return [200, `${word[0]!.toUpperCase()}${word.slice(1)} over to "${leader}" instead of "${candidate}"`];
    }
    if (!cluster.failover) return [503, `${title(action)} failed`];
  }
  return [503, `${title(action)} status unknown`];
}

export const switchover = (ctx: RouteContext): Promise<void> => failoverRequest(ctx, 'switchover');
export const failover = (ctx: RouteContext): Promise<void> => failoverRequest(ctx, 'failover');

export async function deleteScheduledSwitchover(ctx: RouteContext): Promise<void> {
  const { failover: key } = await ctx.deps.actions.loadCluster();
  if (!key || !key.scheduledAt) return writeResponse(ctx.res, ctx.headers, 404, 'no switchover is scheduled');
  if (!(await ctx.deps.actions.writeFailover({ leader: null, candidate: null, scheduledAt: null }, key.version))) {
    return sendError(ctx.res, 409);
  }
  writeResponse(ctx.res, ctx.headers, 200, 'scheduled switchover deleted');
}
