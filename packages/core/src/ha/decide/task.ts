/**
 * An async task is running (§1.2): the cycle only keeps the lock alive, or stops a
 * primary whose lock is gone.
 */
import { decision, prepend, type Decision } from '../actions.js';
import type { RunningTask } from '../view.js';
import type { Ctx } from './context.js';
import { demoteActions, triggerRewindCheck } from './demotion.js';
import { decideDcsUnavailable } from './failsafe.js';
import { isFailoverPossible } from './health.js';

export function decideDuringTask(ctx: Ctx, task: RunningTask): Decision {
  if (!ctx.ownsLock) return withoutLock(ctx, task);
  const held = prepend(ctx.armGuard, heldBranch(ctx, task));
  return decision(held.reason, held.message, [
    { type: 'refreshLeader', onHeld: held, onLost: withoutLock(ctx, task), onUnavailable: decideDcsUnavailable(ctx) },
  ]);
}

function heldBranch(ctx: Ctx, task: RunningTask): Decision {
  if (task.kind === 'crash-recovery' && ctx.memory.crashRecoveryStartedAt !== null) {
    const elapsed = (ctx.now - ctx.memory.crashRecoveryStartedAt) / 1000;
    if (ctx.config.primaryStartTimeout - elapsed <= 0 && isFailoverPossible(ctx).ok) {
      return decision('task-crash-recovery-timeout', 'terminated crash recovery because of startup timeout', [
        { type: 'cancelTask' },
        ...demoteActions(ctx, 'immediate'),
      ]);
    }
  }
  return decision('task-lock-updated', `updated leader lock during ${task.name}`);
}

/**
 * No lock (or the renewal said `lost`): never let a promotion or a primary start finish.
 * Only what is or may come up writable is stopped: a running primary, or a start in flight
 * (Patroni cancels `restart` and `starting primary after failure`, then demotes). Other
 * tasks of a former primary (single-user crash recovery, pg_rewind, a re-clone) run with
 * Postgres down and are left to finish: cancelling them would only throw the work away.
 */
function withoutLock(ctx: Ctx, task: RunningTask): Decision {
  if (ctx.memory.bootstrap === null && !ctx.paused) {
    const primaryish = ctx.isPrimary || ctx.role === 'primary' || ctx.role === 'promoted';
    if (task.kind === 'promote' && !primaryish) {
      return decision('task-lost-before-promote', 'lost leader before promote', [{ type: 'cancelTask' }]);
    }
    // A graceful demotion is already taking Postgres down: let it finish.
    const mayBeWritable = ctx.isPrimary || task.kind === 'restart' || task.kind === 'start';
    if (primaryish && mayBeWritable && task.kind !== 'demote') {
      // Cancel first: a restart may be half-way through starting a postmaster.
      return decision('task-lost-lock', `lost leader lock during ${task.name}`, [
        { type: 'cancelTask' },
        ...demoteActions(ctx, 'immediate-nolock'),
      ]);
    }
    if (primaryish && task.kind === 'crash-recovery') {
      // Single-user mode accepts no connections: let it finish, and check for divergence
      // before Postgres starts again, as a replica (no lock).
      return decision('task-lost-lock', `lost leader lock during ${task.name}`, [
        { type: 'remember', patch: { rewind: triggerRewindCheck(ctx) } },
      ]);
    }
  }
  return decision('task-in-progress', `${task.name} in progress`);
}
