/**
 * With loop_wait 10, a switchover must not leave members reporting their old role until
 * their next regular cycle: a node whose role or state changed publishes its member key
 * at once, and replicas wake on the leader key's change. The deadline is below loop_wait,
 * so a node that waited for its next cycle fails the test; the time taken is printed
 * (the benchmark, `pnpm bench:tail`, holds the target).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { E2eCluster, SCOPE, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const LOOP_WAIT = 10;
/** Well under loop_wait, well over what the switchover takes (about 1–2.5 s here, under load). */
const DEADLINE_MS = 8000;

/** Every member key, as etcd holds it now (its JSON gateway; not any agent's view). */
async function memberKeys(cluster: E2eCluster): Promise<Map<string, { role?: string; state?: string }>> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const prefix = `/service/${SCOPE}/members/`;
  const res = await fetch(`http://${cluster.etcd.hosts[0]}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(prefix), range_end: b64(prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)) }),
    signal: AbortSignal.timeout(2000),
  });
  const doc = (await res.json()) as { kvs?: { key: string; value: string }[] };
  const out = new Map<string, { role?: string; state?: string }>();
  for (const kv of doc.kvs ?? []) out.set(Buffer.from(kv.key, 'base64').toString().slice(prefix.length), JSON.parse(Buffer.from(kv.value, 'base64').toString()));
  return out;
}

/** What is still not as it should be after a switchover to `leader` (empty when all is). */
async function lagging(cluster: E2eCluster, leader: AgentNode): Promise<string[]> {
  const wrong: string[] = [];
  const keys = await memberKeys(cluster);
  for (const n of cluster.nodes) {
    const role = n === leader ? 'primary' : 'replica';
    const key = keys.get(n.name);
    if (key?.role !== role || key.state !== 'running') wrong.push(`${n.name}'s member key says ${key?.role}/${key?.state}`);
    const s = await patroni(n);
    if (s?.role !== role || s.state !== 'running') wrong.push(`${n.name}'s /patroni says ${String(s?.role)}/${String(s?.state)}`);
    else if (n !== leader && s.replication_state !== 'streaming') wrong.push(`${n.name} is not streaming yet`);
  }
  return wrong;
}

describe('pgwarden e2e: a switchover at loop_wait 10 is reported within a few seconds', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'switchover-prompt', nodes: 3, timing: { ttl: 30, loopWait: LOOP_WAIT, retryTimeout: 10 } });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  for (const round of [1, 2]) {
    it(`switchover ${round}: every member key and /patroni shows the new roles, replicas streaming`, async () => {
      await waitFor('the cluster settled', async () => (await lagging(cluster, primary)).length === 0, 60_000);
      const candidate = cluster.nodes.find((n) => n !== primary)!;
      const t0 = Date.now();
      const reply = await api(primary, '/switchover', { method: 'POST', body: { leader: primary.name, candidate: candidate.name }, timeoutMs: 60_000 });
      expect(reply.status, `${reply.text}\n${tails(cluster)}`).toBe(200);
      let last: string[] = [];
      const took = await waitFor(
        `every member reporting ${candidate.name} as primary`,
        async () => {
          last = await lagging(cluster, candidate);
          return last.length === 0 ? Date.now() - t0 : null;
        },
        DEADLINE_MS - (Date.now() - t0),
        50,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; still: ${last.join('; ')}\n${tails(cluster)}`);
      });
      console.log(`switchover ${round} (loop_wait ${LOOP_WAIT}): every member reported its new role ${(took / 1000).toFixed(2)} s after POST /switchover`);
      primary = candidate;
    });
  }
});
