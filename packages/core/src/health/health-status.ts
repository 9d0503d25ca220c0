/**
 * The health-check decision (spec/api.md §1.3): GET, HEAD and OPTIONS on any path
 * without a dedicated handler. Paths are matched by substring in Patroni's order, so
 * `/replicas` behaves as `/replica` and `/` as `/primary`; unknown paths answer 503.
 */
import { healthFlags } from './health-flags.js';
import type { NodeState } from './node-state.js';
import { parsePatroniInt } from './parse-int.js';
import { firstValue, type HealthQuery } from './query.js';
import { buildStatusDocument, type StatusDocument } from './status-document.js';
import { tagsMatch } from './tag-filter.js';

export interface HealthRequest {
  /** The URL path without the query (`/replica`). */
  readonly path: string;
  readonly query: HealthQuery;
  /** The request time on the same monotonic Clock as `NodeState.lockExpiresAt` (ms). */
  readonly now: number;
}

export interface HealthResponse {
  readonly status: 200 | 503;
  /** The status document; a GET sends it, HEAD and OPTIONS do not. */
  readonly body: StatusDocument;
}

/** `?lag=` in bytes or 1024-based units (`16MB`); an unparsable value means no limit. */
export function maxLagFromQuery(query: HealthQuery): number | null {
  const raw = firstValue(query, 'lag');
  return raw === undefined ? null : parsePatroniInt(raw, 'B');
}

export function healthStatus(state: NodeState, request: HealthRequest): HealthResponse {
  const body = buildStatusDocument(state);
  const path = request.path === '/' ? '/primary' : request.path;
  const flags = healthFlags(state, maxLagFromQuery(request.query), request.now);
  const ok = (yes: boolean): 200 | 503 => (yes ? 200 : 503);
  const leaderLike = flags.primaryOK || flags.standbyLeaderOK;

  // Leader-type answers ignore tag filters: there is only one leader to ask about.
  if (path.includes('standby_leader') || path.includes('standby-leader')) return { status: ok(flags.standbyLeaderOK), body };
  if (path.includes('leader')) return { status: ok(flags.leaderOK), body };
  if (path.includes('master') || path.includes('primary') || path.includes('read-write')) return { status: ok(flags.primaryOK), body };

  let status: 200 | 503 = 503;
  if (path.includes('replica')) status = ok(flags.replicaOK);
  else if (path.includes('read-only') && !path.includes('sync') && !path.includes('quorum')) status = ok(leaderLike || flags.replicaOK);
  else if (path.includes('health')) status = ok(state.state === 'running');
  else if (state.clusterKnown) {
    const sync = state.postgres?.syncStandby === true;
    const quorum = state.postgres?.quorumStandby === true;
    if ((path === '/sync' || path === '/synchronous') && sync) status = ok(flags.replicaOK);
    else if (path === '/quorum' && quorum) status = ok(flags.replicaOK);
    else if ((path === '/async' || path === '/asynchronous') && !sync && !quorum) status = ok(flags.replicaOK);
    else if (path === '/read-only-quorum') status = ok(leaderLike || (quorum && flags.replicaOK));
    else if (path === '/read-only-sync' || path === '/read-only-synchronous') status = ok(leaderLike || (sync && flags.replicaOK));
  }
  if (status === 200 && !tagsMatch(state, request.query)) status = 503;
  return { status, body };
}
