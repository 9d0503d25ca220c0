/**
 * We own the lock (§1.11, first half). Every cycle renews it with a CAS before anything
 * else; `lost` demotes a primary at once (immediate-nolock), `unavailable` goes to the
 * failsafe check or an offline demotion. On `held` the leader publishes /status (and
 * /failsafe), handles a pending switchover, and stays or becomes primary.
 */
import { decision, prepend, type Action, type Decision } from '../actions.js';
import type { Ctx } from './context.js';
import { demoteActions } from './demotion.js';
import { manualFailoverAtLeader } from './failover.js';
import { decideDcsUnavailable, failsafeTopology } from './failsafe.js';
import { enforcePrimaryRole } from './promote.js';
import { isStandbyCluster } from './standby-cluster.js';
import { leaderStatusActions } from './slot-status.js';

export function decideLockOwner(ctx: Ctx): Decision {
  // A standby leader is never a primary: in pause it keeps its lock (Patroni's is_standby_cluster check).
  if (ctx.paused && !ctx.isPrimary && !isStandbyCluster(ctx)) {
    if (ctx.cluster.failover?.candidate === ctx.me) return decision('paused-waiting-promote', 'waiting to become primary after promote...');
    return decision('paused-removed-lock-not-primary', 'removed leader lock because postgres is not running as primary', [
      { type: 'releaseLeader' },
    ]);
  }
  return refreshThen(ctx, () => {
    const manual = manualFailoverAtLeader(ctx);
    if (manual.decision) return manual.decision;
    const checkpoint: Action[] =
      ctx.isPrimary && ctx.memory.checkpointAfterPromote === 'needed' ? [{ type: 'checkpoint' }] : [];
    return prepend(
      [...manual.actions, ...checkpoint],
      enforcePrimaryRole(
        ctx,
        { reason: 'leader-no-action', message: `no action. I am (${ctx.me}), the leader with the lock` },
        { reason: 'leader-promote', message: 'promoted self to leader because I had the session lock' },
      ),
    );
  });
}

/** The refresh gate with the lock holder's standard answers to `lost` and `unavailable`. */
export function refreshThen(ctx: Ctx, onHeld: () => Decision, options: { status?: boolean } = {}): Decision {
  const held = prepend([...ctx.armGuard, ...(options.status === false ? [] : statusActions(ctx))], onHeld());
  return decision(held.reason, held.message, [
    { type: 'refreshLeader', onHeld: held, onLost: lockLost(ctx), onUnavailable: decideDcsUnavailable(ctx) },
  ]);
}

function lockLost(ctx: Ctx): Decision {
  if (ctx.isPrimary) {
    if (ctx.paused) return decision('lock-lost-paused-primary', 'continue to run as primary after failing to update leader lock in DCS');
    return decision('lock-lost-demote', 'demoted self because failed to update leader lock in DCS', demoteActions(ctx, 'immediate-nolock'));
  }
  return decision('lock-lost-not-promoting', 'not promoting because failed to update leader lock in DCS');
}

/** /status (our WAL position, slots and retain_slots: slot-status.ts) and /failsafe, written after a renewal. */
function statusActions(ctx: Ctx): Action[] {
  const actions: Action[] = [...leaderStatusActions(ctx)];
  if (ctx.config.failsafeMode) actions.push({ type: 'writeFailsafe', members: failsafeTopology(ctx) });
  return actions;
}
