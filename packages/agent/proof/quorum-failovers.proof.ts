/**
 * A long proof, not part of `pnpm test`: three agents on etcd and PostgreSQL 15 in
 * `synchronous_mode: quorum`, clients writing to every node, and FAILOVERS forced
 * failovers (default 50). Four rounds in five SIGKILL the primary's host (agent and
 * postmaster together); every fifth first kills a standby's host and, while the primary
 * is still changing `/sync` and `synchronous_standby_names` for that, the primary's host.
 * After each: the promoted node was a `/sync` voter before the kill, and every commit the
 * killed primary acknowledged is on it. At the end, every acknowledged commit is on the
 * final primary. Run: `pnpm proof:quorum` (FAILOVERS=N to change the count).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { E2eCluster, SCOPE, psql, sleep, waitFor, type AgentNode } from '../test/e2e/cluster.js';
import { tails, waitForPrimary, waitForStreaming } from '../test/e2e/wait.js';
import { missingOn, Writer } from '../test/e2e/writer.js';

const FAILOVERS = Number(process.env.FAILOVERS ?? 50);
const TABLE = 'quorum_proof';

async function etcd(cluster: E2eCluster, verb: 'range' | 'put', body: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${cluster.etcd.endpoints[0]}/v3/kv/${verb}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`etcd ${verb}: HTTP ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function readKey(cluster: E2eCluster, name: string): Promise<Record<string, unknown> | null> {
  const r = await etcd(cluster, 'range', { key: b64(`/service/${SCOPE}/${name}`) });
  const kvs = r.kvs as { value: string }[] | undefined;
  return kvs?.[0] ? (JSON.parse(Buffer.from(kvs[0].value, 'base64').toString()) as Record<string, unknown>) : null;
}

const voters = (sync: Record<string, unknown> | null): string[] => String(sync?.sync_standby ?? '').split(',').filter(Boolean);

/** /sync led by `leader` with a quorum over both other members: the cluster is whole again. */
async function waitForWholeQuorum(cluster: E2eCluster, leader: AgentNode): Promise<Record<string, unknown>> {
  const others = cluster.nodes.filter((n) => n !== leader).map((n) => n.name).sort().join(',');
  return waitFor(
    `/sync led by ${leader.name} over ${others}`,
    async () => {
      const s = await readKey(cluster, 'sync');
      return s?.leader === leader.name && typeof s.quorum === 'number' && voters(s).sort().join(',') === others ? s : null;
    },
    180_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tails(cluster)}`);
  });
}

describe(`quorum commit under ${FAILOVERS} forced failovers`, () => {
  let cluster: E2eCluster;
  afterAll(async () => {
    await cluster?.close();
  });

  it('promotes only quorum voters and loses no acknowledged commit', async () => {
    cluster = await E2eCluster.create({ label: 'quorum-proof', nodes: 3 });
    for (const n of cluster.nodes) cluster.start(n);
    let primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
    const config = await waitFor('/config in etcd', () => readKey(cluster, 'config'), 30_000);
    await etcd(cluster, 'put', { key: b64(`/service/${SCOPE}/config`), value: b64(JSON.stringify({ ...config, synchronous_mode: 'quorum', synchronous_node_count: 1 })) });
    await waitForWholeQuorum(cluster, primary);

    await Writer.createTable(primary, TABLE);
    for (const n of cluster.nodes) await waitFor(`${TABLE} on ${n.name}`, () => psql(n, `SELECT to_regclass('${TABLE}') IS NOT NULL`)[0] === 't', 30_000);
    const writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    const started = performance.now();
    const rows: string[] = [];
    try {
      for (let round = 1; round <= FAILOVERS; round++) {
        const roundStart = performance.now();
        const acksBefore = writer.acks.length;
        await waitFor(`commits on ${primary.name}`, () => writer.acks.length >= acksBefore + 10, 60_000);
        const sync = await readKey(cluster, 'sync');
        const kind = round % 5 === 0 ? 'standby then primary, mid-change' : 'primary host';
        const killed: AgentNode[] = [];
        if (round % 5 === 0) {
          const standby = cluster.nodes.find((n) => n !== primary && voters(sync).includes(n.name))!;
          await cluster.killHost(standby);
          killed.push(standby);
          await sleep(200 + Math.floor(Math.random() * 1500)); // while the primary drops it from /sync and Postgres
        }
        const syncAtKill = await readKey(cluster, 'sync');
        await cluster.killHost(primary);
        const acked = writer.acks.filter((a) => a.node === primary.name);
        // The standby's host comes back at once: the survivor alone may lack commits only
        // the standby acknowledged, so it must not promote without it (and does not).
        for (const k of killed) cluster.start(k);
        killed.push(primary);
        const candidates = cluster.nodes.filter((n) => n !== primary);
        const next = await waitForPrimary(cluster, candidates, 180_000);
        const inQuorum = voters(sync).includes(next.name) || voters(syncAtKill).includes(next.name);
        const missing = await missingOn(next, TABLE, acked);
        rows.push(`${round} | ${kind} | ${primary.name} → ${next.name} | voters ${voters(syncAtKill).join(',')} | ${acked.length} acked, ${missing.length} missing | ${((performance.now() - roundStart) / 1000).toFixed(1)} s`);
        console.log(rows.at(-1));
        expect(inQuorum, `round ${round}: ${next.name} was not a /sync voter (${JSON.stringify(syncAtKill)})\n${tails(cluster)}`).toBe(true);
        expect(missing, `round ${round}: acknowledged commits missing on ${next.name}`).toEqual([]);

        const oldPrimary = primary;
        primary = next;
        cluster.start(oldPrimary);
        await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary), 180_000);
        await waitForWholeQuorum(cluster, primary);
      }
    } finally {
      await writer.stop();
    }
    const all = writer.acks;
    const missingAtEnd = await missingOn(primary, TABLE, all);
    console.log(
      `quorum proof: ${FAILOVERS} failovers in ${((performance.now() - started) / 60_000).toFixed(1)} min; ` +
        `${all.length} commits acknowledged, ${missingAtEnd.length} missing on the final primary ${primary.name}`,
    );
    expect(missingAtEnd).toEqual([]);
  }, 4 * 3600_000);
});
