/**
 * Cluster health as both agents can be asked about it. Patroni 3.0.2's `/patroni` says
 * `master` (pgwarden says `primary`) and has no `replication_state`, so streaming is read
 * where both agents agree: the primary's pg_stat_replication, by member name (both set
 * application_name to it), plus each replica's agent reporting a running replica (a
 * replica still in pg_basebackup is `creating replica`, whose WAL stream would show too).
 */
import type { AgentNode, E2eCluster } from '../test/e2e/cluster.js';
import { connect } from '../test/e2e/writer.js';
import { until } from './clock.js';

export interface NodeStatus {
  readonly role: string;
  readonly state: string;
}

/** `GET /patroni`, or null when the agent does not answer within 1 s. */
export async function status(node: AgentNode): Promise<NodeStatus | null> {
  try {
    const res = await fetch(`${node.apiUrl}/patroni`, { signal: AbortSignal.timeout(1000) });
    if (res.status !== 200) return null;
    const doc = (await res.json()) as { role?: unknown; state?: unknown };
    return { role: String(doc.role), state: String(doc.state) };
  } catch {
    return null;
  }
}

export function isPrimaryRole(role: string): boolean {
  return role === 'primary' || role === 'master';
}

/** One query on a fresh connection (1 s connect, 2 s statement deadline); rows as objects. */
export async function query(node: AgentNode, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = await connect(node, 2000);
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The one writable primary with every other node streaming from it, or null. `among`
 * limits which nodes count (a killed host is left out).
 */
export async function healthyPrimary(cluster: E2eCluster, among: readonly AgentNode[] = cluster.nodes): Promise<AgentNode | null> {
  const statuses = await Promise.all(among.map((n) => status(n)));
  const primaries = among.filter((_, i) => statuses[i] && isPrimaryRole(statuses[i]!.role) && statuses[i]!.state === 'running');
  if (primaries.length !== 1) return null;
  const primary = primaries[0]!;
  const replicas = among.filter((n) => n !== primary);
  if (!replicas.every((n) => { const s = statuses[among.indexOf(n)]; return s?.role === 'replica' && s.state === 'running'; })) return null;
  const rows = await query(primary, "SELECT pg_is_in_recovery() AS r, (SELECT array_agg(application_name::text) FROM pg_stat_replication WHERE state = 'streaming') AS s");
  if (rows[0]?.r !== false) return null;
  const streaming = (rows[0]?.s as string[] | null) ?? [];
  return replicas.every((n) => streaming.includes(n.name)) ? primary : null;
}

export function waitHealthy(cluster: E2eCluster, timeoutMs: number, among: readonly AgentNode[] = cluster.nodes): Promise<AgentNode> {
  return until(`one writable primary with ${among.length - 1} replicas streaming from it`, () => healthyPrimary(cluster, among), timeoutMs, 100);
}
