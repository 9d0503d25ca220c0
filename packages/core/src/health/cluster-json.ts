/**
 * The body of `GET /cluster` (spec/api.md §1.6), built from one DCS snapshot. patronictl
 * `list` and dashboards read it: members sorted by name, each with its role in the
 * cluster (`leader`, `standby_leader`, `sync_standby`, `replica`) and its lag behind the
 * leader's last reported LSN.
 */
import type { Cluster, JsonObject, Member } from '../dcs/cluster.js';
import { configIsPaused, configIsQuorumCommit, configIsStandbyCluster, configIsSynchronousMode, syncMatches } from './dynamic-config.js';
import { parsePatroniInt } from './parse-int.js';
import { pythonIsoformat } from './python-time.js';

const OPTIONAL_MEMBER_FIELDS = ['timeline', 'pending_restart', 'pending_restart_reason', 'scheduled_restart', 'tags'] as const;

/**
 * `config`: the dynamic configuration to judge roles and pause by — an agent passes the
 * one in force (a refused document must not make the API disagree with the engine);
 * tools without one read the snapshot's.
 */
export function clusterAsJson(cluster: Cluster, scope: string, config: JsonObject | null = cluster.config?.data ?? null): Record<string, unknown> {
  const leaderName = cluster.leader?.name ?? null;
  const clusterLsn = cluster.status.lastLsn || 0;
  const members = [...cluster.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const out: Record<string, unknown> = {
    members: members.map((m) => memberJson(cluster, m, leaderName, clusterLsn, config)),
  };
  if (configIsPaused(config)) out['pause'] = true;
  const failover = cluster.failover;
  if (failover && failover.scheduledAtMs !== null) {
    const switchover: Record<string, unknown> = { at: pythonIsoformat(failover.scheduledAtMs / 1000) };
    if (failover.leader) switchover['from'] = failover.leader;
    if (failover.candidate) switchover['to'] = failover.candidate;
    out['scheduled_switchover'] = switchover;
  }
  out['scope'] = scope;
  return out;
}

function memberJson(
  cluster: Cluster,
  m: Member,
  leaderName: string | null,
  clusterLsn: number,
  config: JsonObject | null,
): Record<string, unknown> {
  let role = 'replica';
  if (m.name === leaderName) role = configIsStandbyCluster(config) ? 'standby_leader' : 'leader';
  else if (configIsSynchronousMode(config) && syncMatches(cluster, m.name)) role = configIsQuorumCommit(config) ? 'quorum_standby' : 'sync_standby';

  const replicationState = role !== 'leader' && typeof m.data.replication_state === 'string' ? m.data.replication_state : '';
  const json: Record<string, unknown> = {
    name: m.name,
    role,
    state: replicationState || (m.data.state ?? ''),
    api_url: m.data.api_url ?? null,
  };
  const conn = connHostPort(m.data.conn_url);
  if (conn?.host) {
    json['host'] = conn.host;
    if (conn.port) json['port'] = conn.port;
  }
  for (const field of OPTIONAL_MEMBER_FIELDS) if (field in m.data) json[field] = m.data[field];

  if (m.name !== leaderName) {
    const lsn = parsePatroniInt(m.data.xlog_location);
    json['lag'] = lsn === null ? 'unknown' : Math.max(0, clusterLsn - lsn);
  }
  return json;
}

/** Host and port of a `postgres://` URL; the port defaults to 5432. */
function connHostPort(connUrl: string | undefined): { host: string; port: number } | null {
  if (!connUrl) return null;
  try {
    const url = new URL(connUrl);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { host: decodeURIComponent(host), port: url.port ? Number(url.port) : 5432 };
  } catch {
    return null;
  }
}
