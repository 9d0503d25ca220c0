/**
 * `GET /readiness` as Patroni 4.1 answers it: ready when this node holds the leader
 * lock; otherwise Postgres must run, stream from its upstream and lag the leader by no
 * more than `?lag=` (bytes or units such as `16MB`; default maximum_lag_on_failover).
 * `?mode=write` measures the lag on WAL received, anything else (`apply`) on WAL
 * replayed. Without a DCS view a replica is ready only while failsafe mode is active.
 */
import { firstValue, holdsLock, maxLagFromQuery, type HealthQuery, type NodeState } from '@pgwarden/core';

export type ReadinessMode = 'write' | 'apply';

export function readinessMode(query: HealthQuery): ReadinessMode {
  return firstValue(query, 'mode') === 'write' ? 'write' : 'apply';
}

export function readinessWithLag(state: NodeState, query: HealthQuery, now: number, maximumLagOnFailover: number): 200 | 503 {
  if (holdsLock(state, now)) return 200;
  if (state.state !== 'running') return 503;
  const postgres = state.postgres;
  if (postgres?.replicationState !== 'streaming') return 503;
  if (!state.clusterKnown) return state.failsafeActive ? 200 : 503;
  const xlog = postgres.xlog;
  const location = xlog.kind !== 'replica' ? 0 : readinessMode(query) === 'write' ? xlog.receivedLocation : xlog.replayedLocation;
  const lag = state.leaderLsn - location;
  return lag > (maxLagFromQuery(query) ?? maximumLagOnFailover) ? 503 : 200;
}
