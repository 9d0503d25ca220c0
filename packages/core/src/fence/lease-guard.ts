/**
 * The fence (fence.ts: a guard process outside the agent) as a lease guard. Arming
 * guards the postmaster that runs now (PID and start time), so a replica's postmaster
 * armed before `pg_ctl promote` stays guarded through the promotion, and a stale deadline
 * can never hit a later postmaster. With no postmaster running there is nothing to guard.
 */
import type { LeaseGuard } from '../ha/lease-guard.js';
import type { Logger } from '../logger.js';
import type { FenceControl } from './fence.js';

export function fenceLeaseGuard(fence: FenceControl, logger: Logger): LeaseGuard {
  return {
    readiness: () => null,
    activate: () => true,
    arm: async ({ validUntil, postmasterPid }) => {
      if (postmasterPid === null) return;
      try {
        await fence.arm(validUntil, postmasterPid);
      } catch (error) {
        logger.warn(`fence: ${(error as Error).message}`);
      }
    },
    actsBeforeExpiryMs: () => fence.marginMs(),
    disarm: async (reason) => {
      // Every follower cycle settles the guard: touch the guard process only when armed.
      if (!fence.sentArmed()) return;
      try {
        await fence.disarm(reason);
      } catch (error) {
        logger.warn(`fence: ${(error as Error).message}`);
      }
    },
  };
}
