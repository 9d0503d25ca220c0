/**
 * Replication slots across failovers on a real 3-node cluster (etcd + PostgreSQL 15):
 * - a permanent logical slot `cdc` (test_decoding) is created on the primary and copied
 *   to both replicas, which send hot-standby feedback and keep physical slots for the
 *   other members;
 * - a CDC consumer reads through the slot on whichever node is primary while a client
 *   writes rows; across a switchover, a SIGKILL of the primary's host and a switchover to
 *   the node that came back, it resumes on each new primary: no transaction it confirmed
 *   comes again and every committed row reaches it;
 * - a member stopped for good keeps its slot on the others while member_slots_ttl runs,
 *   and loses it once a short member_slots_ttl has passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { CdcConsumer } from './cdc-consumer.js';
import { E2eCluster, psql, sleep, waitFor, type AgentNode } from './cluster.js';
import { etcdGet } from './requests.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { Writer } from './writer.js';

const TABLE = 'cdc_rows';
/**
 * bootstrap.dcs additions: the first line continues `postgresql.parameters` (logical
 * decoding needs wal_level logical from the start), the rest is the permanent slot.
 */
const BOOTSTRAP_DCS = ['        wal_level: logical', '    slots:', '      cdc:', '        type: logical', '        database: postgres', '        plugin: test_decoding', ''].join('\n');

/** Slot name → confirmed_flush (logical) or restart LSN (physical), as bytes. */
function slotsOn(node: AgentNode): Map<string, { type: string; lsn: number }> {
  const rows = psql(node, "SELECT slot_name, slot_type, pg_wal_lsn_diff(coalesce(confirmed_flush_lsn, restart_lsn), '0/0')::bigint FROM pg_replication_slots");
  return new Map(rows.map((r) => r.split('\t')).map(([name, type, lsn]) => [name!, { type: type!, lsn: Number(lsn) }]));
}

describe('pgwarden e2e: logical slots survive failovers, member slots everywhere', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  const consumer = new CdcConsumer('cdc', TABLE);
  let writer: Writer;

  const replicas = (): AgentNode[] => cluster.nodes.filter((n) => n !== primary && n.process && n.process.exitCode === null);

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'logical-slots', nodes: 3, bootstrapDcsYaml: BOOTSTRAP_DCS });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, replicas());
    await Writer.createTable(primary, TABLE);
  }, 120_000);

  afterAll(async () => {
    await writer?.stop();
    await cluster?.close();
  });

  it('the slot is on every node; replicas copied it, send feedback and keep slots for the other members', async () => {
    for (const n of cluster.nodes) {
      await waitFor(`cdc on ${n.name}`, () => slotsOn(n).get('cdc')?.type === 'logical', 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${tails(cluster)}`);
      });
    }
    for (const r of replicas()) {
      expect(r.output).toContain("Copying logical slots ['cdc'] from the primary");
      await waitFor(`hot_standby_feedback on ${r.name}`, () => psql(r, 'SHOW hot_standby_feedback')[0] === 'on', 30_000);
      const others = cluster.nodes.filter((n) => n !== r).map((n) => n.name);
      await waitFor(`${r.name} holding slots for ${others.join(', ')}`, () => others.every((o) => slotsOn(r).get(o)?.type === 'physical'), 30_000);
    }
  }, 120_000);

  it('a CDC consumer resumes on each new primary: nothing confirmed comes again, nothing committed is lost', async () => {
    writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    // The consumer reads on `target` every 200 ms until paused; connection errors during a failover are retried.
    let target = primary;
    let consuming = false;
    let loop: Promise<void> = Promise.resolve();
    const resume = (on: AgentNode): void => {
      target = on;
      consuming = true;
      loop = (async () => {
        while (consuming) {
          await consumer.round(target).catch(() => undefined);
          await sleep(200);
        }
      })();
    };
    const pause = async (): Promise<void> => {
      consuming = false;
      await loop;
    };
    resume(primary);
    /** What the consumer confirmed has reached `nodes`' copies of the slot: a failover to one of them repeats nothing. */
    const copiesCaughtUp = (nodes: readonly AgentNode[]) =>
      waitFor(`the cdc copies on ${nodes.map((n) => n.name).join(', ')} at ${consumer.confirmedLsn}`, () => nodes.every((n) => (slotsOn(n).get('cdc')?.lsn ?? 0) >= consumer.confirmedLsn), 30_000);

    const failovers: { kind: string; from: string; to: string; confirmedBefore: number }[] = [];
    let killed: AgentNode | null = null;
    for (const kind of ['switchover', 'kill', 'switchover-to-rejoined'] as const) {
      await sleep(3000);
      await pause();
      const candidate = kind === 'switchover-to-rejoined' ? killed! : replicas()[0]!;
      await copiesCaughtUp(kind === 'kill' ? replicas() : [candidate]);
      const from = primary;
      const confirmedBefore = consumer.confirmed.length;
      if (kind === 'kill') {
        await cluster.killHost(from);
        killed = from;
        primary = await waitForPrimary(cluster, cluster.nodes.filter((n) => n !== from), 90_000);
        cluster.start(from);
      } else {
        const reply = await api(from, '/switchover', { method: 'POST', body: { leader: from.name, candidate: candidate.name }, timeoutMs: 60_000 });
        expect(reply.status, `${reply.text}\n${tails(cluster)}`).toBe(200);
        primary = await waitForPrimary(cluster, [candidate], 60_000);
      }
      failovers.push({ kind, from: from.name, to: primary.name, confirmedBefore });
      resume(primary);
      if (kind === 'kill') {
        // The killed host rejoins as a replica (rewound), with its slot kept and advanced.
        await waitForStreaming(cluster, primary, replicas(), 120_000);
        await waitFor(`cdc on ${from.name} after it rejoined`, () => slotsOn(from).get('cdc')?.type === 'logical', 60_000);
      }
    }
    await sleep(2000);
    await writer.stop();
    const committed = new Set(psql(primary, `SELECT id FROM ${TABLE}`).map(Number));
    await waitFor(`the consumer reaching all ${committed.size} committed rows`, () => [...committed].every((id) => consumer.ids().has(id)), 60_000);
    await pause();

    expect(failovers.map((f) => f.kind)).toEqual(['switchover', 'kill', 'switchover-to-rejoined']);
    expect(new Set(failovers.map((f) => f.to)).size, JSON.stringify(failovers)).toBeGreaterThan(1);
    // After each failover the consumer confirmed more on the new primary.
    for (const f of failovers) expect(consumer.confirmed.slice(f.confirmedBefore).some((t) => t.node === f.to), JSON.stringify(f)).toBe(true);
    expect(consumer.repeats, 'transactions delivered again after being confirmed').toEqual([]);
    const consumed = consumer.ids();
    expect([...consumed].filter((id) => !committed.has(id)), 'consumed rows that are not in the table').toEqual([]);
    expect(committed.size).toBeGreaterThan(50);
  }, 240_000);

  it('a member stopped for good keeps its slot while member_slots_ttl runs, and loses it after', async () => {
    const gone = replicas()[0]!;
    const stay = cluster.nodes.filter((n) => n !== gone);
    for (const n of stay) await waitFor(`${n.name} holding a slot for ${gone.name}`, () => slotsOn(n).has(gone.name), 30_000);
    await cluster.stop(gone);
    const memberKey = `/service/${cluster.scope}/members/${gone.name}`;
    await waitFor(`${gone.name}'s member key gone`, async () => (await etcdGet(cluster.etcd.hosts, memberKey)) === null, 60_000);
    await sleep(3000);
    const status = JSON.parse((await etcdGet(cluster.etcd.hosts, `/service/${cluster.scope}/status`))!) as { retain_slots?: string[] };
    expect(status.retain_slots).toContain(gone.name);
    for (const n of stay) expect(slotsOn(n).has(gone.name), `${n.name} keeps the slot of ${gone.name}`).toBe(true);

    const patched = await api(primary, '/config', { method: 'PATCH', body: { member_slots_ttl: 5 } });
    expect(patched.status, patched.text).toBe(200);
    for (const n of stay) await waitFor(`${n.name} dropping the slot of ${gone.name}`, () => !slotsOn(n).has(gone.name), 60_000);
    const after = JSON.parse((await etcdGet(cluster.etcd.hosts, `/service/${cluster.scope}/status`))!) as { retain_slots?: string[] };
    expect(after.retain_slots ?? []).not.toContain(gone.name);
  }, 120_000);
});
