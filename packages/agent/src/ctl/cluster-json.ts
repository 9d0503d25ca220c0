/**
 * The cluster as patronictl shows it (Patroni's `cluster_as_json`): members sorted by
 * name with a display role (leader / standby_leader / sync_standby / quorum_standby / replica), state,
 * host and port from `conn_url`, lag against the leader's last LSN; pause and a
 * scheduled switchover. Also the dynamic-config predicates the commands share.
 */
import { readBool, type Cluster, type JsonObject, type Member } from '@pgwarden/core';
import { addLsnFields } from '../api/cluster-lsn.js';
import { isRecord } from '../config/records.js';

export interface MemberView {
  name: string;
  role: 'leader' | 'standby_leader' | 'sync_standby' | 'quorum_standby' | 'replica';
  state: string;
  api_url?: string;
  host?: string;
  port?: number;
  timeline?: number;
  pending_restart?: boolean;
  pending_restart_reason?: JsonObject;
  scheduled_restart?: JsonObject;
  tags?: JsonObject;
  lag?: number | 'unknown';
  /** Patroni 4.1: positions as pg_lsn prints them (or `unknown`) and their lags behind the leader, in bytes. */
  lsn?: string;
  receive_lsn?: string;
  receive_lag?: number | 'unknown';
  replay_lsn?: string;
  replay_lag?: number | 'unknown';
}

export interface ClusterView {
  members: MemberView[];
  pause?: true;
  scheduled_switchover?: { at: string; from?: string; to?: string };
}

function configData(cluster: Cluster): JsonObject {
  return cluster.config?.data ?? {};
}

export function isPaused(cluster: Cluster): boolean {
  return readBool(configData(cluster).pause, false);
}

export function isStandbyCluster(cluster: Cluster): boolean {
  const sc = configData(cluster).standby_cluster;
  return isRecord(sc) && Boolean(sc.host || sc.port || sc.restore_command);
}

export function isSynchronousMode(cluster: Cluster): boolean {
  return (readBool(configData(cluster).synchronous_mode, false) || isQuorumCommit(cluster)) && !isStandbyCluster(cluster);
}

/** `synchronous_mode: quorum`: /sync's members are shown as quorum standbys. */
export function isQuorumCommit(cluster: Cluster): boolean {
  const mode = configData(cluster).synchronous_mode;
  return typeof mode === 'string' && mode.trim().toLowerCase() === 'quorum' && !isStandbyCluster(cluster);
}

/** The `sync` key names `name` (case-insensitive); `checkLeader` also accepts the sync key's leader. */
export function syncMatches(cluster: Cluster, name: string | undefined, checkLeader = false): boolean {
  if (!name || !cluster.sync.leader) return false;
  const lower = name.toLowerCase();
  if (checkLeader && cluster.sync.leader.toLowerCase() === lower) return true;
  return cluster.sync.syncStandbys.some((s) => s.toLowerCase() === lower);
}

export function loopWait(cluster: Cluster): number {
  const v = Number(configData(cluster).loop_wait);
  return Number.isFinite(v) && v > 0 ? v : 10;
}

export function isNoFailover(member: Member): boolean {
  const tags = member.data.tags;
  if (!tags) return false;
  if (tags.nofailover !== undefined && tags.nofailover !== null) return readBool(tags.nofailover, false);
  if (tags.failover_priority !== undefined) return Number(tags.failover_priority) <= 0;
  return false;
}

/** host and port of `postgres://host:port/db`, as libpq's URI parser gives them. */
export function connHostPort(connUrl: unknown): { host?: string; port?: number } {
  if (typeof connUrl !== 'string') return {};
  try {
    const url = new URL(connUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return { ...(host && { host }), ...(url.port && { port: Number(url.port) }) };
  } catch {
    return {};
  }
}

export function clusterAsJson(cluster: Cluster): ClusterView {
  const leaderName = cluster.leader?.name ?? null;
  const lastLsn = cluster.status.lastLsn || 0;
  const sync = isSynchronousMode(cluster);
  const syncRole: MemberView['role'] = isQuorumCommit(cluster) ? 'quorum_standby' : 'sync_standby';
  const standby = isStandbyCluster(cluster);
  const members: MemberView[] = [];
  for (const m of cluster.members) {
    const role: MemberView['role'] =
      m.name === leaderName ? (standby ? 'standby_leader' : 'leader') : sync && syncMatches(cluster, m.name) ? syncRole : 'replica';
    const d = m.data;
    const state = (role !== 'leader' ? d.replication_state : '') || d.state || '';
    const view: MemberView = { name: m.name, role, state };
    if (d.api_url !== undefined) view.api_url = d.api_url;
    Object.assign(view, connHostPort(d.conn_url));
    if (d.timeline !== undefined) view.timeline = d.timeline;
    if (d.pending_restart !== undefined) view.pending_restart = d.pending_restart;
    if (d.pending_restart_reason !== undefined) view.pending_restart_reason = d.pending_restart_reason;
    if (d.scheduled_restart !== undefined) view.scheduled_restart = d.scheduled_restart;
    if (d.tags !== undefined) view.tags = d.tags;
    if (m.name !== leaderName) {
      const lsn = d.xlog_location;
      view.lag = lsn === undefined ? 'unknown' : lastLsn >= lsn ? lastLsn - lsn : 0;
      // Patroni 4.1's receive/replay positions (the same fields GET /cluster shows).
      addLsnFields(view as unknown as Record<string, unknown>, d as unknown as Record<string, unknown>, lastLsn);
    }
    members.push(view);
  }
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: ClusterView = { members };
  if (isPaused(cluster)) out.pause = true;
  const f = cluster.failover;
  if (f?.scheduledAt) {
    out.scheduled_switchover = { at: f.scheduledAt, ...(f.leader && { from: f.leader }), ...(f.candidate && { to: f.candidate }) };
  }
  return out;
}
