/**
 * Pause (maintenance) mode (§1.17). Most of its rules live where they apply (no race for
 * replicas, no automatic demotion, slots not dropped); this file holds the cross-cutting
 * parts: the `PAUSE: ` prefix and what leaving pause resets.
 */
import { mapLeaves, type Action, type Decision } from '../actions.js';
import type { Ctx } from './context.js';

export function withPausePrefix(ctx: Ctx, d: Decision): Decision {
  return ctx.paused ? mapLeaves(d, (leaf) => ({ ...leaf, message: `PAUSE: ${leaf.message}` })) : d;
}

/** Entering pause is remembered; leaving it resets the rewind state (people may have changed things). */
export function pauseTransition(ctx: Ctx): Action[] {
  if (ctx.paused && !ctx.memory.wasPaused) return [{ type: 'remember', patch: { wasPaused: true } }];
  if (!ctx.paused && ctx.memory.wasPaused) return [{ type: 'remember', patch: { wasPaused: false, rewind: 'initial' } }];
  return [];
}
