/**
 * Encoders: the exact bytes Patroni writes for each key (spec/dcs.md §2). Compact JSON,
 * non-ASCII escaped, fields in Patroni's order, unknown fields after the known ones.
 */
import type { ClusterStatus, HistoryLine, JsonObject, MemberData } from '../cluster.js';
import { toPatroniJson } from './json.js';

/** The leader key holds the bare member name: vip-manager and confd compare it literally. */
export function encodeLeader(name: string): string {
  return name;
}

/** Patroni's touch_member order; the rest follows in the order given. */
const MEMBER_ORDER = [
  'conn_url',
  'api_url',
  'state',
  'role',
  'version',
  'proxy_url',
  'checkpoint_after_promote',
  'tags',
  'pending_restart',
  'pending_restart_reason',
  'xlog_location',
  'replication_state',
  'timeline',
  'scheduled_restart',
  'pause',
] as const;

export function encodeMemberData(data: MemberData): string {
  const ordered: Record<string, unknown> = {};
  for (const key of MEMBER_ORDER) if (data[key] !== undefined) ordered[key] = data[key];
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (!(key in ordered) && value !== undefined) ordered[key] = value;
  }
  return toPatroniJson(ordered);
}

export function encodeConfig(data: JsonObject): string {
  return toPatroniJson(data);
}

export interface FailoverRequest {
  readonly leader?: string | null;
  readonly candidate?: string | null;
  /** ISO-8601 with a zone offset. */
  readonly scheduledAt?: string | null;
  readonly extra?: JsonObject;
}

/** `{}` clears the key (Patroni writes it rather than deleting); the candidate field is `member`. */
export function encodeFailover(request: FailoverRequest): string {
  const out: Record<string, unknown> = {};
  if (request.leader) out.leader = request.leader;
  if (request.candidate) out.member = request.candidate;
  if (request.scheduledAt) out.scheduled_at = request.scheduledAt;
  return toPatroniJson({ ...out, ...request.extra });
}

export const CLEARED_FAILOVER = '{}';

/**
 * Standby names sorted and comma-joined; `null` when there are none. With `quorum`
 * (quorum commit), Patroni 4's layout: `{"leader":…,"quorum":n,"sync_standby":…}`.
 */
export function encodeSync(leader: string, syncStandbys: readonly string[], extra: JsonObject = {}, quorum?: number): string {
  const names = [...syncStandbys].sort();
  const standbys = names.length ? names.join(',') : null;
  if (quorum !== undefined) return toPatroniJson({ leader, quorum, sync_standby: standbys, ...extra });
  return toPatroniJson({ leader, sync_standby: standbys, ...extra });
}

export function encodeHistory(lines: readonly HistoryLine[]): string {
  return toPatroniJson(lines);
}

/** `{"optime":N,"slots":{…}}`; `slots` omitted when there are none. */
export function encodeStatus(status: Pick<ClusterStatus, 'lastLsn' | 'slots' | 'retainSlots'> & { extra?: JsonObject }): string {
  const out: Record<string, unknown> = { optime: status.lastLsn };
  if (status.slots && Object.keys(status.slots).length) out.slots = status.slots;
  if (status.retainSlots?.length) out.retain_slots = status.retainSlots;
  return toPatroniJson({ ...out, ...status.extra });
}

export function encodeFailsafe(members: Readonly<Record<string, string>>): string {
  return toPatroniJson(members);
}

/** Patroni's `isoformat()` of a UTC instant: `2024-06-17T10:00:00+00:00` (microseconds when non-zero). */
export function formatTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-06-17T10:00:00.123Z
  const [whole, fraction = '000Z'] = iso.split('.');
  const millis = fraction.slice(0, 3);
  return millis === '000' ? `${whole}+00:00` : `${whole}.${millis}000+00:00`;
}
