/**
 * Demotions, and the divergence check that goes with every one of them: a primary that
 * stops being one may hold WAL no other node has, so before it follows the next leader
 * it checks whether it must rewind (Patroni's demote() arms this check in every mode).
 */
import type { Action } from '../actions.js';
import type { Ctx } from './context.js';

/** CHECK is entered on demotion, lost races and restarts when rewind or re-clone are allowed (§3.9). */
export function triggerRewindCheck(ctx: Ctx): Ctx['memory']['rewind'] {
  const allowed = ctx.config.usePgRewind || ctx.node.removeDataDirectoryOnDivergedTimelines;
  if (!allowed || ctx.memory.rewind === 'need') return ctx.memory.rewind;
  return 'check';
}

/** The actions of a demotion: arm the divergence check, then stop in `mode`. */
export function demoteActions(ctx: Ctx, mode: 'offline' | 'immediate' | 'immediate-nolock'): Action[];
export function demoteActions(ctx: Ctx, mode: 'graceful', task: string): Action[];
export function demoteActions(ctx: Ctx, mode: 'offline' | 'immediate' | 'immediate-nolock' | 'graceful', task?: string): Action[] {
  const demote: Action = mode === 'graceful' ? { type: 'demote', mode, task: task! } : { type: 'demote', mode };
  return [{ type: 'remember', patch: { rewind: triggerRewindCheck(ctx) } }, demote];
}
