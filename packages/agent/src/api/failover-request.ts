/**
 * Validation of `POST /switchover` and `POST /failover`, in Patroni's order (spec/api.md
 * §1.7 steps 1–7). The checks against the cluster are pure; probing the candidates'
 * REST APIs is left to `ApiActions.hasHealthyCandidate`.
 */
import { configIsPaused, configIsQuorumCommit, configIsSynchronousMode, syncMatches, type Cluster, type JsonObject, type Member } from '@pgwarden/core';
import { parseSchedule } from './schedule.js';

export type FailoverAction = 'switchover' | 'failover';

export interface FailoverPlan {
  /** A failover that names a leader is carried out as a switchover. */
  readonly action: FailoverAction;
  readonly leader: string | null;
  readonly candidate: string | null;
  readonly scheduledAt: string | null;
}

export type FailoverCheck = { readonly ok: true; readonly plan: FailoverPlan } | { readonly ok: false; readonly status: number; readonly message: string };

type NameField = { readonly ok: true; readonly name: string | null } | { readonly ok: false; readonly message: string };

/**
 * A member name from the body. Absent, `null` and `""` mean "not given" (Python's
 * falsy); any other value must be a string. Patroni itself takes whatever JSON it gets
 * and compares it with names (`["node3"]` never matches), and an object whose
 * `toString` is not a function would make `String()` throw; pgwarden refuses both.
 */
function nameField(body: JsonObject, key: string, label: string): NameField {
  const value: unknown = Object.hasOwn(body, key) ? body[key] : undefined;
  if (value === undefined || value === null || value === '') return { ok: true, name: null };
  if (typeof value === 'string') return { ok: true, name: value };
  return { ok: false, message: `${label} name should be a string` };
}

/** Python's truthiness of a JSON value: `scheduled_at` is used only when truthy. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Steps 1–6: what the request says, against the paused flag of a fresh cluster read. */
export function validateFailoverRequest(body: JsonObject, requested: FailoverAction, cluster: Cluster, nowMs: number): FailoverCheck {
  const bad = (message: string, status = 400): FailoverCheck => ({ ok: false, status, message });
  const leaderField = nameField(body, 'leader', 'Leader');
  if (!leaderField.ok) return bad(leaderField.message);
  // `candidate`, or its alias `member` when `candidate` is not given (Python: `candidate or member`).
  let candidateField = nameField(body, 'candidate', 'Candidate');
  if (candidateField.ok && candidateField.name === null) candidateField = nameField(body, 'member', 'Candidate');
  if (!candidateField.ok) return bad(candidateField.message);
  const leader = leaderField.name;
  const candidate = candidateField.name;
  const rawSchedule: unknown = Object.hasOwn(body, 'scheduled_at') ? body['scheduled_at'] : undefined;
  const paused = configIsPaused(cluster.config?.data);

  if (requested === 'failover' && !candidate) return bad('Failover could be performed only to a specific candidate');
  if (requested === 'switchover' && !leader) return bad('Switchover could be performed only from a specific leader');

  let scheduledAt: string | null = null;
  if (truthy(rawSchedule)) {
    if (requested === 'failover') return bad("Failover can't be scheduled");
    if (paused) return bad("Can't schedule switchover in the paused state");
    const parsed = parseSchedule(rawSchedule, requested, nowMs);
    if (!parsed.ok) return bad(parsed.message, parsed.status);
    scheduledAt = parsed.iso;
  }
  if (paused && !candidate) return bad('Switchover is possible only to a specific candidate in a paused state');
  const action: FailoverAction = requested === 'failover' && leader ? 'switchover' : requested;
  if (leader === candidate) return bad('Switchover target and source are the same');
  return { ok: true, plan: { action, leader, candidate, scheduledAt } };
}

/** Step 7 before probing: an error message (→ 412), or the members worth asking. */
export function failoverCandidates(cluster: Cluster, plan: FailoverPlan): { readonly error: string } | { readonly members: readonly Member[] } {
  // Quorum commit lets any member take over (the vote count decides), as Patroni 4 does.
  const syncMode = configIsSynchronousMode(cluster.config?.data) && !configIsQuorumCommit(cluster.config?.data);
  const { leader, candidate, action } = plan;
  if (leader && cluster.leader?.name !== leader) return { error: 'leader name does not match' };
  if (candidate) {
    if (action === 'switchover' && syncMode && !syncMatches(cluster, candidate)) {
      return { error: 'candidate name does not match with sync_standby' };
    }
    const members = cluster.members.filter((m) => m.name === candidate);
    return members.length ? { members } : { error: 'candidate does not exists' };
  }
  if (syncMode) {
    const members = cluster.members.filter((m) => syncMatches(cluster, m.name));
    return members.length ? { members } : { error: `${action} is not possible: can not find sync_standby` };
  }
  const leaderName = cluster.leader?.name;
  const members = cluster.members.filter((m) => !leaderName || (m.name !== leaderName && m.data.api_url));
  return members.length ? { members } : { error: `${action} is not possible: cluster does not have members except leader` };
}
