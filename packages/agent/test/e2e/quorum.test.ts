/**
 * Quorum commit end to end, on real etcd and PostgreSQL 15: three agents; a Patroni 4
 * client turns on `synchronous_mode: quorum` by writing `/config` straight into etcd; the
 * primary then publishes `ANY 1 (…)` and a `/sync` with a quorum; clients write; the
 * primary's host is SIGKILLed (agent and postmaster). The node promoted was one of the
 * quorum's voters, and every commit acknowledged before the kill is on it.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { promtoolProblems } from './promtool.js';
import { E2eCluster, SCOPE, psql, sleep, waitFor, type AgentNode } from './cluster.js';
import { startStreaming, tails, waitForPrimary } from './wait.js';
import { missingOn, Writer } from './writer.js';

const CTL = fileURLToPath(new URL('../../bin/pgwardenctl.js', import.meta.url));
const TABLE = 'quorum_rows';

/** etcd's JSON gateway (v3): what any client, Patroni 4 included, reads and writes. */
async function etcd(cluster: E2eCluster, verb: 'range' | 'put', body: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${cluster.etcd.endpoints[0]}/v3/kv/${verb}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`etcd ${verb}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const key = (name: string): string => `/service/${SCOPE}/${name}`;

async function readKey(cluster: E2eCluster, name: string): Promise<Record<string, unknown> | null> {
  const r = await etcd(cluster, 'range', { key: b64(key(name)) });
  const kvs = r.kvs as { value: string }[] | undefined;
  return kvs?.[0] ? (JSON.parse(Buffer.from(kvs[0].value, 'base64').toString()) as Record<string, unknown>) : null;
}

function ctl(configPath: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTL, '-c', configPath, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, out: `${stdout}${stderr}` });
    });
  });
}

describe('pgwarden e2e on etcd: synchronous_mode quorum', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let replicas: AgentNode[];
  let voters: string[] = [];

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'quorum', nodes: 3 });
    ({ primary, replicas } = await startStreaming(cluster));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('a /config with synchronous_mode: quorum, put by a Patroni 4 client, is applied', async () => {
    const current = await waitFor('/config in etcd', () => readKey(cluster, 'config'), 30_000);
    // Patroni 4 writes compact JSON (separators without spaces).
    // member_slots_ttl in Patroni 4's unit form is read too.
    const written = JSON.stringify({ ...current, synchronous_mode: 'quorum', synchronous_node_count: 1, member_slots_ttl: '30min' });
    await etcd(cluster, 'put', { key: b64(key('config')), value: b64(written) });

    const sync = await waitFor(
      '/sync with a quorum over both replicas',
      async () => {
        const s = await readKey(cluster, 'sync');
        return s && s.leader === primary.name && s.quorum === 1 && s.sync_standby === replicas.map((r) => r.name).sort().join(',') ? s : null;
      },
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    voters = String(sync.sync_standby).split(',');
    expect(Object.keys(sync)).toEqual(['leader', 'quorum', 'sync_standby']);
    expect(psql(primary, 'SHOW synchronous_standby_names')).toEqual([`ANY 1 (${voters.join(',')})`]);
    await waitFor('both standbys in quorum state', () => psql(primary, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'quorum'")[0] === '2', 30_000);
  });

  it('replicas answer /quorum and /read-only-quorum; /cluster, /metrics and pgwardenctl list say quorum standby', async () => {
    for (const r of replicas) {
      await waitFor(`GET /quorum 200 on ${r.name}`, async () => (await api(r, '/quorum')).status === 200, 30_000);
      expect((await api(r, '/read-only-quorum')).status).toBe(200);
      expect((await api(r, '/sync')).status).toBe(503);
      expect((await api(r, '/patroni')).json()['quorum_standby']).toBe(true);
      expect((await api(r, '/metrics')).text).toMatch(/^patroni_quorum_standby\{[^}]*\} 1$/m);
    }
    // A live /metrics of a primary and of a quorum standby passes Prometheus' own linter.
    for (const n of [primary, replicas[0]!]) expect(promtoolProblems((await api(n, '/metrics')).text)).toEqual([]);
    expect((await api(primary, '/quorum')).status).toBe(503);
    expect((await api(primary, '/read-only-quorum')).status).toBe(200);
    const members = (await api(primary, '/cluster')).json<{ members: { name: string; role: string }[] }>().members;
    expect(members.filter((m) => m.role === 'quorum_standby').map((m) => m.name).sort()).toEqual(voters);

    const ctlConfig = join(cluster.root, 'ctl.yml');
    writeFileSync(ctlConfig, `scope: ${SCOPE}\nnamespace: /service\n${cluster.dcs.yaml}`);
    let last = '';
    const shown = await waitFor(
      'pgwardenctl list to show two Quorum Standby rows',
      async () => {
        const listed = await ctl(ctlConfig, ['list', '-f', 'json']);
        last = listed.out;
        if (listed.code !== 0) return null;
        const rows = JSON.parse(listed.stdout) as { Member: string; Role: string }[];
        const quorum = rows.filter((m) => m.Role === 'Quorum Standby').map((m) => m.Member).sort();
        return quorum.length === 2 ? quorum : null;
      },
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nlast output: ${last}`);
    });
    expect(shown).toEqual(voters);
  });

  it('SIGKILL of the primary host: a quorum voter takes over with every acknowledged commit', async () => {
    await Writer.createTable(primary, TABLE);
    for (const r of replicas) await waitFor(`${TABLE} on ${r.name}`, () => psql(r, `SELECT to_regclass('${TABLE}') IS NOT NULL`)[0] === 't', 30_000);
    const writer = new Writer(cluster.nodes, TABLE);
    writer.start();
    await waitFor('commits acknowledged by the primary', () => writer.acks.length >= 30, 30_000);
    const before = (await readKey(cluster, 'sync'))!;
    await cluster.killHost(primary);
    const acked = writer.acks.filter((a) => a.node === primary.name);
    const next = await waitForPrimary(cluster, replicas, 90_000);
    await sleep(2000); // a few commits on the new primary too
    await writer.stop();

    expect(String(before.sync_standby).split(','), tails(cluster)).toContain(next.name);
    expect(acked.length).toBeGreaterThanOrEqual(30);
    expect(await missingOn(next, TABLE, acked)).toEqual([]);
    // The new leader took /sync over, with a quorum.
    const after = await waitFor('/sync naming the new leader', async () => {
      const s = await readKey(cluster, 'sync');
      return s?.leader === next.name ? s : null;
    }, 30_000);
    expect(typeof after.quorum).toBe('number');
  });
});
