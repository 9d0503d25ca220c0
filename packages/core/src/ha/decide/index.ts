/**
 * decide(view) → Decision: Patroni's run_cycle as a pure function (spec/ha.md §1). The
 * order below is the order of §1: DCS reachable? task running? starting? bootstrap
 * finishing? start just attempted? data directory? membership? Postgres down? then the
 * race (unlocked), the lock holder, or a follower.
 */
import { EMPTY_CLUSTER } from '../../dcs/cluster.js';
import { appendToLeaves, prepend, type Action, type Decision } from '../actions.js';
import type { HaView } from '../view.js';
import { decideAfterBootstrap, decideWithoutDataDirectory } from './bootstrap.js';
import { makeContext, type Ctx } from './context.js';
import { decideLeaderRace } from './election.js';
import { decideDcsUnavailable, withFailsafeLeader } from './failsafe.js';
import { triggerRewindCheck } from './demotion.js';
import { decideFollower } from './follower.js';
import { decideLockOwner } from './leader.js';
import { checkMembership } from './membership.js';
import { withPausePrefix } from './pause.js';
import { preamble } from './preamble.js';
import { decideAfterStart, decideDownInPause, decideRecover, decideStarting } from './recovery.js';
import { parameterActions } from './parameters.js';
import { scheduledRestartActions } from './scheduled-restart.js';
import { slotActions } from './slots.js';
import { decideDuringTask } from './task.js';

export function decide(view: HaView): Decision {
  if (view.dcs.kind === 'unavailable') {
    const ctx = makeContext(view, view.dcs.lastCluster ?? EMPTY_CLUSTER);
    return withPausePrefix(ctx, settleGuard(ctx, decideDcsUnavailable(ctx)));
  }
  const ctx = makeContext(view, withFailsafeLeader(view.dcs.cluster, view));
  const body = prepend(preamble(ctx), decideBody(ctx));
  const closing = closingActions(ctx);
  // Patroni's `finally`: touch the member key unless the DCS failed on this path.
  // A fatal leaf ends the agent: nothing after it would run. Then settle the guard, as
  // every cycle ends (one walk of the tree for both: decide runs every cycle).
  const finished = appendToLeaves(body, (leaf) =>
    leaf.dcsFailed || leaf.actions.some((a) => a.type === 'fatal') ? [settleAction(ctx)] : [...closing, { type: 'touchMember' }, settleAction(ctx)],
  );
  return withPausePrefix(ctx, finished);
}

/** Every cycle ends by settling the lease guard (executor: leaseGuardSettlement). */
function settleGuard(ctx: Ctx, d: Decision): Decision {
  return appendToLeaves(d, () => [settleAction(ctx)]);
}

function settleAction(ctx: Ctx): Action {
  return { type: 'settleLeaseGuard', paused: ctx.paused };
}

function decideBody(ctx: Ctx): Decision {
  const task = ctx.view.task;
  if (task) return decideDuringTask(ctx, task);
  const starting = decideStarting(ctx);
  if (starting) return starting;
  if (ctx.memory.bootstrap !== null) return decideAfterBootstrap(ctx);
  const pre: Action[] = [];
  if (ctx.memory.recovering) {
    const after = decideAfterStart(ctx);
    if (after.decision) return after.decision;
    pre.push(...after.actions);
  }
  const dir = ctx.local.dataDir.kind;
  if (dir === 'empty' || dir === 'not-accessible') return prepend(pre, decideWithoutDataDirectory(ctx));
  const membership = checkMembership(ctx);
  if (membership.decision) return prepend(pre, membership.decision);
  pre.push(...membership.actions);
  if (!ctx.local.running) return prepend(pre, decideDownInPause(ctx) ?? decideRecover(ctx));
  if (ctx.unlocked) return prepend(pre, decideLeaderRace(ctx));
  if (ctx.ownsLock) return prepend(pre, decideLockOwner(ctx));
  return prepend(pre, decideFollower(ctx));
}

/** The end of a cycle where the DCS answered: slots, the first-cycle bookkeeping, failsafe reset. */
function closingActions(ctx: Ctx): Action[] {
  const actions: Action[] = [...parameterActions(ctx), ...slotActions(ctx, ctx.view.task?.kind ?? null), ...scheduledRestartActions(ctx)];
  if (ctx.local.running && ctx.local.status.state !== 'starting' && !ctx.memory.startCallbackFired && !ctx.view.task) {
    // First cycle with Postgres up: check a replica against the leader once.
    const patch = ctx.isPrimary ? { startCallbackFired: true } : { startCallbackFired: true, rewind: triggerRewindCheck(ctx) };
    actions.push({ type: 'remember', patch });
  }
  if (ctx.memory.failsafeActive && ctx.ownsLock) actions.push({ type: 'remember', patch: { failsafeActive: false } });
  return actions;
}
