/**
 * The four yes/no answers every health path is built from (spec/api.md §1.3 "Flags").
 */
import { isPrimaryRole, type NodeState } from './node-state.js';

export interface HealthFlags {
  /** A running, load-balanced replica that is not lagging beyond `?lag=`. */
  readonly replicaOK: boolean;
  readonly leaderOK: boolean;
  /** Holds the lock outside a standby cluster. Needs only the lock, never the role. */
  readonly primaryOK: boolean;
  readonly standbyLeaderOK: boolean;
}

/** Holds the leader lock at `now` (monotonic ms): the expiry is still ahead. */
export function holdsLock(state: NodeState, now: number): boolean {
  return state.lockExpiresAt !== null && state.lockExpiresAt > now;
}

function replayedLocation(state: NodeState): number {
  const xlog = state.postgres?.xlog;
  return xlog?.kind === 'replica' ? xlog.replayedLocation : 0;
}

/** `maxLagBytes` null means no limit. An unknown leader LSN (0) never lags. */
export function isLagging(state: NodeState, maxLagBytes: number | null): boolean {
  if (maxLagBytes === null || !state.leaderLsn) return false;
  return state.leaderLsn > replayedLocation(state) + maxLagBytes;
}

export function healthFlags(state: NodeState, maxLagBytes: number | null, now: number): HealthFlags {
  const noloadbalance = Boolean(state.tags['noloadbalance']);
  const replicaOK = !noloadbalance && !isLagging(state, maxLagBytes) && state.role === 'replica' && state.state === 'running';

  // Without a DCS view in maintenance mode, trust what Postgres says about itself.
  if (!state.clusterKnown && state.paused) {
    return {
      replicaOK,
      leaderOK: isPrimaryRole(state.role) || state.role === 'standby_leader',
      primaryOK: isPrimaryRole(state.role),
      standbyLeaderOK: state.role === 'standby_leader',
    };
  }
  if (holdsLock(state, now)) {
    if (state.standbyCluster) {
      return {
        replicaOK: false,
        leaderOK: true,
        primaryOK: false,
        standbyLeaderOK: state.role === 'replica' || state.role === 'standby_leader',
      };
    }
    return { replicaOK, leaderOK: true, primaryOK: true, standbyLeaderOK: false };
  }
  return { replicaOK, leaderOK: false, primaryOK: false, standbyLeaderOK: false };
}
