/**
 * Running Debian's Patroni and pgwarden side by side in one E2eCluster: the cluster
 * starts pgwarden (`cluster.start`); `startPatroni` runs `/usr/bin/patroni` on the same
 * node directory, patroni.yml and data directory, as the same user, and keeps its output
 * in the node's log like any agent's.
 */
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { lookupOsUser, spawnTracked } from '@pgwarden/testkit';
import { patroni } from '../api.js';
import { SCOPE, psql, waitFor, type AgentNode, type E2eCluster } from '../cluster.js';
import { etcdGet } from '../requests.js';
import { tails, waitForPrimary } from '../wait.js';

export const PATRONI_BIN = '/usr/bin/patroni';
export const PATRONICTL_BIN = '/usr/bin/patronictl';

export function requirePatroni(): void {
  for (const bin of [PATRONI_BIN, PATRONICTL_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: apt-get install -y patroni (Debian's Patroni 3.0.2)`);
  }
}

export function startPatroni(node: AgentNode): ChildProcess {
  const user = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
  const child = spawnTracked(PATRONI_BIN, [node.configPath], {
    cwd: node.dir,
    env: { ...process.env, HOME: node.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const keep = (chunk: Buffer): void => {
    node.output = (node.output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  node.process = child;
  return child;
}

/** The node's member key as its agent last wrote it, or null. */
export async function memberKey(cluster: E2eCluster, node: AgentNode): Promise<Record<string, unknown> | null> {
  const raw = await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/members/${node.name}`);
  return raw === null ? null : (JSON.parse(raw) as Record<string, unknown>);
}


/** A writable primary among `among`, whichever agent runs it (Patroni says `master`). */
export const waitForWritable = waitForPrimary;

/** Every one of `replicas` streams from `primary` and its agent reports a running replica. */
export async function waitForReplicas(cluster: E2eCluster, primary: AgentNode, replicas: readonly AgentNode[], timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `${replicas.map((r) => r.name).join(', ')} streaming from ${primary.name}`,
    async () => {
      for (const r of replicas) {
        const s = await patroni(r);
        if (s?.state !== 'running' || s.role !== 'replica') return false;
      }
      const rows = psql(primary, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
      return replicas.every((r) => rows.includes(r.name));
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tails(cluster)}`);
  });
}

/** The node the leader lists in `/sync` once one is listed: in synchronous mode the only valid switchover target. */
export async function waitForSyncName(cluster: E2eCluster, primary: AgentNode, timeoutMs = 60_000): Promise<AgentNode> {
  const name = await waitFor(`a synchronous standby of ${primary.name} in /sync`, async () => {
    const raw = await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/sync`);
    const doc = raw ? (JSON.parse(raw) as { leader?: string; sync_standby?: string | null }) : null;
    return doc?.leader === primary.name && doc.sync_standby ? doc.sync_standby.split(',')[0] : null;
  }, timeoutMs);
  return cluster.node(name!);
}

/**
 * `standby` is the synchronous standby: Postgres on the primary waits for it, and the
 * primary's agent lists it in `/sync`, so it is the one node allowed to take over.
 */
export async function waitForSyncStandby(cluster: E2eCluster, primary: AgentNode, standby: AgentNode, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${standby.name} as the synchronous standby of ${primary.name}`,
    async () => {
      const rows = psql(primary, "SELECT application_name FROM pg_stat_replication WHERE sync_state = 'sync'");
      const sync = await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/sync`);
      const doc = sync ? (JSON.parse(sync) as { leader?: string; sync_standby?: string | null }) : null;
      return rows.includes(standby.name) && doc?.leader === primary.name && (doc.sync_standby ?? '').split(',').includes(standby.name);
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tails(cluster)}`);
  });
}
