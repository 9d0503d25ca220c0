/**
 * May this data directory join this cluster (§1.6, second half)? A node never joins a
 * cluster with a different system identifier (invariant 7).
 */
import { decision, type Action, type Decision } from '../actions.js';
import { sysidValid, type Ctx } from './context.js';

export interface MembershipOutcome {
  readonly decision: Decision | null;
  readonly actions: readonly Action[];
}

export function checkMembership(ctx: Ctx): MembershipOutcome {
  const dir = ctx.local.dataDir;
  const sysid = dir.kind === 'valid' ? dir.sysid : null;
  if (!sysidValid(sysid)) {
    return {
      decision: decision('sysid-invalid', 'data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize'),
      actions: [],
    };
  }
  const initialize = ctx.cluster.initialize;
  if (sysidValid(initialize)) {
    if (initialize === sysid) return { decision: null, actions: [] };
    if (ctx.paused) {
      // Warned every cycle; the agent exits on resume unless the system ID is reset.
      if (ctx.ownsLock) {
        return {
          decision: decision('sysid-mismatch-released-lock', 'released leader key voluntarily due to the system ID mismatch', [
            { type: 'releaseLeader' },
          ]),
          actions: [],
        };
      }
      return { decision: null, actions: [] };
    }
    const message = `system ID mismatch, node ${ctx.me} belongs to a different cluster: ${initialize} != ${sysid}`;
    return { decision: decision('sysid-mismatch', message, [{ type: 'fatal', message }]), actions: [] };
  }
  if (ctx.unlocked && !ctx.paused && !ctx.memory.startCallbackFired) {
    // Taking over an instance that already runs: only from its primary.
    if (ctx.local.running && !ctx.isPrimary) {
      const message = 'No initialize key in DCS and PostgreSQL is running as replica, aborting start. Please first start Patroni on the node running as primary';
      return { decision: decision('takeover-replica-without-initialize', message, [{ type: 'fatal', message }]), actions: [] };
    }
    return { decision: null, actions: [{ type: 'initialize', createNew: initialize === null, sysid }] };
  }
  return { decision: null, actions: [] };
}
