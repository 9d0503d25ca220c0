/**
 * The immutable cluster snapshot: everything one read of the DCS produced (spec/dcs.md
 * §1.2). The HA loop takes one per cycle and decides on it alone. Field names follow
 * TypeScript style; the JSON inside member and config values keeps Patroni's names.
 */
export type JsonObject = { readonly [key: string]: unknown };

/** One key as an adapter read it, relative to the cluster prefix (`members/node1`). */
export interface RawEntry {
  readonly key: string;
  readonly value: string;
  /** Backend modification token: etcd mod_revision, ZooKeeper znode version, Consul ModifyIndex. */
  readonly version: string;
  /** Owner token of a session-bound key: etcd lease id, ZooKeeper ephemeralOwner, Consul Session. */
  readonly session: string | null;
  /** When it differs from `version`: ZooKeeper's mzxid, which does not restart when a node is re-created. */
  readonly modifyVersion?: string;
}

/** The JSON a member writes into `members/<name>`; unknown fields are kept as they were. */
export interface MemberData {
  readonly conn_url?: string;
  readonly api_url?: string;
  readonly state?: string;
  /** `master` (Patroni 3.x) or `primary` (4.x; pgwarden picks by its peers: ha/member-role.ts), `replica`, `standby_leader`, … */
  readonly role?: string;
  /** Patroni protocol version, dotted integers. */
  readonly version?: string;
  readonly proxy_url?: string;
  readonly checkpoint_after_promote?: boolean;
  readonly tags?: JsonObject;
  readonly pending_restart?: boolean;
  readonly pending_restart_reason?: JsonObject;
  /** WAL position in bytes from 0/0. */
  readonly xlog_location?: number;
  readonly replication_state?: string;
  readonly timeline?: number;
  readonly scheduled_restart?: JsonObject;
  readonly pause?: boolean;
  /** pgwarden's own release, on members run by pgwarden (Patroni ignores the field). */
  readonly pgwarden_version?: string;
  readonly [extra: string]: unknown;
}

export interface Member {
  readonly name: string;
  readonly version: string;
  readonly session: string | null;
  readonly data: MemberData;
}

export interface Leader {
  readonly name: string;
  readonly version: string;
  readonly session: string | null;
  /** The member with the leader's name, or a stub with empty data when it has no member key. */
  readonly member: Member;
}

export interface ClusterConfig {
  readonly version: string;
  /** Changes whenever the value changes; `'0'` means the value could not be used. */
  readonly modifyVersion: string;
  readonly data: JsonObject;
}

export interface Failover {
  readonly version: string;
  /** The current leader, for a switchover. */
  readonly leader: string | null;
  /** The candidate (the JSON field is `member`). */
  readonly candidate: string | null;
  /** As written, e.g. `2024-06-17T10:00:00+00:00`. */
  readonly scheduledAt: string | null;
  /** `scheduledAt` in epoch milliseconds. */
  readonly scheduledAtMs: number | null;
  readonly extra: JsonObject;
}

export interface SyncState {
  /** null when the key is absent. */
  readonly version: string | null;
  readonly leader: string | null;
  /** Names as written; empty when `leader` is missing. */
  readonly syncStandbys: readonly string[];
  readonly extra: JsonObject;
}

/** `[timeline, switch LSN, reason, promoted at?, new leader?]`. */
export type HistoryLine = readonly [number, number, string, string?, string?];

export interface History {
  readonly version: string;
  readonly raw: string;
  readonly lines: readonly HistoryLine[];
}

export interface ClusterStatus {
  /** The leader's last reported WAL position; 0 when unknown. */
  readonly lastLsn: number;
  /** Permanent slots and their LSNs, or null. */
  readonly slots: Readonly<Record<string, number>> | null;
  /**
   * Patroni 4's `retain_slots`: slots of members whose key may be gone, kept on every node
   * until `member_slots_ttl` has passed since the leader last saw the member. Absent = none.
   */
  readonly retainSlots?: readonly string[];
  readonly extra: JsonObject;
}

export interface Cluster {
  /** null: no key; `""`: a bootstrap is under way; else the system identifier. */
  readonly initialize: string | null;
  readonly config: ClusterConfig | null;
  readonly leader: Leader | null;
  readonly status: ClusterStatus;
  /** Sorted by name. */
  readonly members: readonly Member[];
  readonly failover: Failover | null;
  readonly sync: SyncState;
  readonly history: History | null;
  readonly failsafe: Readonly<Record<string, string>> | null;
}

export const EMPTY_STATUS: ClusterStatus = Object.freeze({ lastLsn: 0, slots: null, retainSlots: Object.freeze([]) as readonly string[], extra: Object.freeze({}) });

export function emptySync(version: string | null = null): SyncState {
  return Object.freeze({ version, leader: null, syncStandbys: Object.freeze([]) as readonly string[], extra: Object.freeze({}) });
}

export const EMPTY_CLUSTER: Cluster = Object.freeze({
  initialize: null,
  config: null,
  leader: null,
  status: EMPTY_STATUS,
  members: Object.freeze([]) as readonly Member[],
  failover: null,
  sync: emptySync(),
  history: null,
  failsafe: null,
});

export function findMember(cluster: Cluster, name: string): Member | undefined {
  return cluster.members.find((m) => m.name === name);
}

/** True when the dynamic configuration may be applied (its modify token is set). */
export function isConfigValid(config: ClusterConfig | null): config is ClusterConfig {
  return config !== null && config.modifyVersion !== '' && config.modifyVersion !== '0';
}

/** A failover key with neither a leader nor a candidate asks for nothing. */
export function isFailoverEmpty(failover: Failover | null): boolean {
  return failover === null || (!failover.leader && !failover.candidate);
}

/** The timeline the history implies: last line's timeline + 1; `[]` → 1; no key → 0. */
export function clusterTimeline(cluster: Cluster): number {
  if (!cluster.history) return 0;
  const last = cluster.history.lines[cluster.history.lines.length - 1];
  return last ? last[0] + 1 : 1;
}

/** `master` and `primary` name the same role; everything else is passed through. */
export function normalizeRole(role: string | undefined): string | undefined {
  return role === 'master' ? 'primary' : role;
}

/** Dotted-integer versions compare numerically; anything else does not parse. */
export function parseVersion(version: unknown): number[] | null {
  if (typeof version !== 'string' || !/^\d+(\.\d+)*$/.test(version)) return null;
  return version.split('.').map(Number);
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The smallest parseable member `version`, or null when none parses. */
export function clusterMinVersion(cluster: Cluster): number[] | null {
  let min: number[] | null = null;
  for (const m of cluster.members) {
    const v = parseVersion(m.data.version);
    if (v && (!min || compareVersions(v, min) < 0)) min = v;
  }
  return min;
}
