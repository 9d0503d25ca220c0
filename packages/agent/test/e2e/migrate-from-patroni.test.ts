/**
 * Migrating a live Patroni 3.0.2 cluster to pgwarden node by node, and back. Three nodes
 * start under Debian's Patroni on one etcd, in synchronous mode, with a client writing
 * every 100 ms. Each node is then stopped and started again as pgwarden with the same
 * patroni.yml and data directory: the replicas first, then — while the cluster is mixed —
 * a SIGKILL failover from a Patroni primary to a pgwarden node and one from a pgwarden
 * primary to a Patroni node, a `patronictl switchover` to a pgwarden node, the last node,
 * and finally one node back to Patroni. No acknowledged commit may be lost.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { E2eCluster, waitFor, type AgentNode } from './cluster.js';
import {
  memberKey,
  PATRONICTL_BIN,
  requirePatroni,
  startPatroni,
  waitForReplicas,
  waitForSyncName,
  waitForSyncStandby,
  waitForWritable,
} from './migrate-from-patroni/agents.js';
import { formatSummary, summarize } from './migrate-from-patroni/write-log.js';
import { tails } from './wait.js';
import { Writer } from './writer.js';

const TABLE = 'migration_log';
const PGWARDEN_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** How many rewinds the node's agents (either kind: both log it so) have started. */
const rewinds = (node: AgentNode): number => node.output.match(/running pg_rewind from/g)?.length ?? 0;

function patronictl(node: AgentNode, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(PATRONICTL_BIN, ['-c', node.configPath, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('migrating a live Patroni 3.0.2 cluster to pgwarden and back', () => {
  let cluster: E2eCluster;
  let writer: Writer;
  /** Which agent runs each node now. */
  const agent = new Map<string, 'patroni' | 'pgwarden'>();
  let primary: AgentNode;
  /** Nodes SIGKILLed while primary: the only ones that may need pg_rewind. */
  const killed = new Set<string>();
  const others = (...not: AgentNode[]): AgentNode[] => cluster.nodes.filter((n) => !not.includes(n));

  /** Stops the node's agent (SIGTERM: its Postgres stops too) and starts the other kind on the same files. */
  async function switchAgent(node: AgentNode, to: 'patroni' | 'pgwarden'): Promise<void> {
    expect(await cluster.stop(node)).toBe(0);
    if (to === 'patroni') startPatroni(node);
    else cluster.start(node);
    agent.set(node.name, to);
  }

  beforeAll(async () => {
    requirePatroni();
    // ttl 20 (the minimum both agents accept), loop_wait 1, retry_timeout 3.
    cluster = await E2eCluster.create({ label: 'migrate-from-patroni', nodes: 3 });
    for (const n of cluster.nodes) {
      startPatroni(n);
      agent.set(n.name, 'patroni');
    }
    primary = await waitForWritable(cluster, cluster.nodes);
    await waitForReplicas(cluster, primary, others(primary));
    const sync = await api(primary, '/config', { method: 'PATCH', body: { synchronous_mode: true } });
    expect(sync.status, sync.text).toBe(200);
    await Writer.createTable(primary, TABLE);
    writer = new Writer(cluster.nodes, TABLE);
    writer.start();
  });

  afterAll(async () => {
    await writer?.stop();
    await cluster?.close();
  });

  it('replaces the replicas with pgwarden; patronictl lists the mixed cluster', async () => {
    for (const replica of others(primary)) {
      await switchAgent(replica, 'pgwarden');
      await waitForReplicas(cluster, primary, [replica]);
    }
    const pgwardenKey = await waitFor('a pgwarden member key', async () => {
      const k = await memberKey(cluster, others(primary)[0]!);
      return k?.pgwarden_version ? k : null;
    });
    expect(pgwardenKey).toMatchObject({ role: 'replica', version: '3.3.1', pgwarden_version: PGWARDEN_VERSION });
    // Its /patroni reports the replay time of the writer's last commit, and pgwarden's own release.
    const doc = await waitFor('a replayed_timestamp', async () => {
      const d = await patroni(others(primary)[0]!);
      return (d?.xlog as { replayed_timestamp?: string | null } | undefined)?.replayed_timestamp ? d : null;
    });
    expect(doc).toMatchObject({ patroni: { version: '3.3.1' }, pgwarden_version: PGWARDEN_VERSION });
    expect(await memberKey(cluster, primary)).toMatchObject({ role: 'master', version: '3.0.2' });
    const list = patronictl(primary, ['list']);
    expect(list.status, list.out).toBe(0);
    expect(list.out).toMatch(new RegExp(`${primary.name}\\s*\\|[^\\n]*Leader`));
    expect(list.out.match(/\|\s*(Replica|Sync Standby)\s*\|\s*(running|streaming)\s*\|/g)?.length, list.out).toBe(2);
  });

  it('a Patroni primary SIGKILLed (agent and postmaster): a pgwarden node takes over', async () => {
    const standby = others(primary);
    await waitFor('a synchronous standby', async () => {
      for (const s of standby) {
        try {
          await waitForSyncStandby(cluster, primary, s, 1000);
          return true;
        } catch {
          /* the other one */
        }
      }
      return false;
    });
    const old = primary;
    await cluster.killHost(old);
    killed.add(old.name);
    primary = await waitForWritable(cluster, standby);
    expect(agent.get(primary.name)).toBe('pgwarden');
    // The Patroni node comes back under Patroni: it rewinds and follows the pgwarden primary.
    startPatroni(old);
    await waitForReplicas(cluster, primary, others(primary));
    // A Patroni 3.0 member is back: the pgwarden primary names its role as Patroni 3 reads it.
    await waitFor('the pgwarden primary to write role "master"', async () => (await memberKey(cluster, primary))?.role === 'master');
  });

  it('a pgwarden primary SIGKILLed: the Patroni node takes over', async () => {
    const patroniNode = cluster.nodes.find((n) => agent.get(n.name) === 'patroni')!;
    const otherPgwarden = others(primary, patroniNode)[0]!;
    // Only the Patroni node may take over: the other replica steps out for the moment.
    expect(await cluster.stop(otherPgwarden)).toBe(0);
    await waitForSyncStandby(cluster, primary, patroniNode);
    const old = primary;
    await cluster.killHost(old);
    killed.add(old.name);
    primary = await waitForWritable(cluster, [patroniNode]);
    // Both pgwarden nodes come back: the SIGKILLed one rewinds, the stopped one just follows.
    cluster.start(otherPgwarden);
    cluster.start(old);
    await waitForReplicas(cluster, primary, others(primary));
  });

  it('patronictl switchover moves the lead to a pgwarden node; the last Patroni node becomes pgwarden', async () => {
    // In synchronous mode only the synchronous standby may take over (both are pgwarden now).
    const candidate = await waitForSyncName(cluster, primary);
    await waitForSyncStandby(cluster, primary, candidate);
    const sw = patronictl(primary, ['switchover', '--leader', primary.name, '--candidate', candidate.name, '--force']);
    expect(sw.status, `${sw.out}\n${tails(cluster)}`).toBe(0);
    expect(sw.out).toContain(`Successfully switched over to "${candidate.name}"`);
    const old = primary;
    primary = await waitForWritable(cluster, [candidate]);
    await waitForReplicas(cluster, primary, others(primary));
    await switchAgent(old, 'pgwarden');
    await waitForReplicas(cluster, primary, others(primary));
    expect([...agent.values()].every((a) => a === 'pgwarden')).toBe(true);
  });

  it('one node goes back to Patroni and follows; a patronictl switchover leaves the pgwarden primary without rewind', async () => {
    const back = others(primary)[0]!;
    await switchAgent(back, 'patroni');
    await waitForReplicas(cluster, primary, others(primary));
    const list = patronictl(primary, ['list']);
    expect(list.status, list.out).toBe(0);
    for (const n of cluster.nodes) expect(list.out).toContain(n.name);
    expect((await patroni(back))?.patroni).toMatchObject({ version: '3.0.2' });
    // A clean switchover away from a pgwarden primary: it follows the new timeline as it is.
    const old = primary;
    const before = rewinds(old);
    const candidate = await waitForSyncName(cluster, old);
    await waitForSyncStandby(cluster, old, candidate);
    const sw = patronictl(old, ['switchover', '--leader', old.name, '--candidate', candidate.name, '--force']);
    expect(sw.status, `${sw.out}\n${tails(cluster)}`).toBe(0);
    expect(sw.out).toContain(`Successfully switched over to "${candidate.name}"`);
    primary = await waitForWritable(cluster, [candidate]);
    await waitForReplicas(cluster, primary, others(primary));
    expect(rewinds(old), tails(cluster)).toBe(before);
  });

  it('rewinds only the primaries that were SIGKILLed, never a replica or a cleanly stopped primary', () => {
    for (const n of cluster.nodes) if (!killed.has(n.name)) expect(rewinds(n), `${n.name}\n${tails(cluster)}`).toBe(0);
  });

  it('loses no acknowledged commit', async () => {
    await writer.stop();
    const summary = await summarize(primary, TABLE, writer.acks);
    console.log(formatSummary(summary));
    expect(summary.acknowledged).toBeGreaterThan(100);
    expect(summary.missing).toEqual([]);
  });
});
