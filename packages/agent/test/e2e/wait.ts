/** Cluster-level conditions the scenarios wait for, read through the REST API and SQL. */
import { patroni } from './api.js';
import { psql, waitFor, type AgentNode, type E2eCluster } from './cluster.js';

/** The node whose `/patroni` says primary and which accepts writes. */
export async function waitForPrimary(cluster: E2eCluster, among: readonly AgentNode[] = cluster.nodes, timeoutMs = 90_000): Promise<AgentNode> {
  return waitFor(
    'a writable primary',
    async () => {
      for (const n of among) {
        const s = await patroni(n);
        // Patroni before 4.0 (and pgwarden beside it) says `master`.
        if ((s?.role !== 'primary' && s?.role !== 'master') || s.state !== 'running') continue;
        try {
          if (psql(n, 'SELECT pg_is_in_recovery()')[0] === 'f') return n;
        } catch {
          /* not ready */
        }
      }
      return null;
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tails(cluster)}`);
  });
}

/** `replicas` all appear in the primary's pg_stat_replication as streaming. */
export async function waitForStreaming(cluster: E2eCluster, primary: AgentNode, replicas: readonly AgentNode[], timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `${replicas.map((r) => r.name).join(', ')} streaming from ${primary.name}`,
    async () => {
      // pg_basebackup's WAL stream also shows as `streaming` under the member's name:
      // the replica's own agent must report a running, streaming Postgres too.
      for (const r of replicas) {
        const s = await patroni(r);
        if (s?.state !== 'running' || s.replication_state !== 'streaming') return false;
      }
      const rows = psql(primary, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
      return replicas.every((r) => rows.includes(r.name));
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tails(cluster)}`);
  });
}

/** Starts every node and waits for one writable primary with all the others streaming from it. */
export async function startStreaming(cluster: E2eCluster): Promise<{ primary: AgentNode; replicas: AgentNode[] }> {
  for (const n of cluster.nodes) cluster.start(n);
  const primary = await waitForPrimary(cluster);
  const replicas = cluster.nodes.filter((n) => n !== primary);
  await waitForStreaming(cluster, primary, replicas);
  return { primary, replicas };
}

/** The last lines of every agent's output, for failure messages. */
export function tails(cluster: E2eCluster, lines = 25): string {
  return cluster.nodes.map((n) => `--- ${n.name} ---\n${n.output.split('\n').slice(-lines).join('\n')}`).join('\n');
}
