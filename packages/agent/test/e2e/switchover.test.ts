/**
 * Planned operations through the REST API on a three-node cluster: `POST /switchover`,
 * Debian's `patronictl` (Patroni 3.0) listing the cluster and switching over through
 * pgwarden's API, `PATCH /config` with a parameter that needs a restart, `POST /restart`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { E2eCluster, psql, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const PATRONICTL = '/usr/bin/patronictl';
const CTL_BIN = fileURLToPath(new URL('../../bin/pgwardenctl.js', import.meta.url));

function patronictl(node: AgentNode, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(PATRONICTL, ['-c', node.configPath, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('pgwarden e2e: switchover, patronictl, PATCH /config', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  /** Who led each timeline, in order: [timeline 1's, timeline 2's, …]. */
  const leaders: string[] = [];

  beforeAll(async () => {
    if (!existsSync(PATRONICTL)) throw new Error(`${PATRONICTL} not found: apt-get install -y patroni`);
    cluster = await E2eCluster.create({ label: 'switchover', nodes: 3 });
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
    psql(primary, 'CREATE TABLE e2e_sw(id int primary key); INSERT INTO e2e_sw VALUES (1)');
    leaders.push(primary.name);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('POST /switchover makes the candidate a writable primary; the old primary streams from it', async () => {
    const candidate = cluster.nodes.find((n) => n !== primary)!;
    const reply = await api(primary, '/switchover', { method: 'POST', body: { leader: primary.name, candidate: candidate.name }, timeoutMs: 60_000 });
    expect(reply.status, `${reply.text}\n${tails(cluster)}`).toBe(200);
    expect(reply.text).toBe(`Successfully switched over to "${candidate.name}"`);

    const next = await waitForPrimary(cluster, [candidate], 30_000);
    psql(next, 'INSERT INTO e2e_sw VALUES (2)');
    await waitForStreaming(cluster, next, cluster.nodes.filter((n) => n !== next));
    await waitFor('the old primary has the new row', () => psql(primary, 'SELECT count(*) FROM e2e_sw')[0] === '2', 30_000);
    expect(psql(primary, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
    primary = next;
    leaders.push(next.name);
  });

  it('patronictl list shows the cluster; patronictl switchover goes through the REST API', async () => {
    const list = patronictl(primary, ['list']);
    expect(list.status, list.out).toBe(0);
    for (const n of cluster.nodes) expect(list.out).toContain(n.name);
    expect(list.out).toMatch(new RegExp(`${primary.name}\\s*\\|[^\\n]*Leader`));
    // patronictl 3.0 shows the member key's state (3.1+ shows `streaming` for replicas).
    expect(list.out.match(/\|\s*Replica\s*\|\s*(running|streaming)\s*\|/g)?.length, list.out).toBe(2);

    const candidate = cluster.nodes.find((n) => n !== primary)!;
    const sw = patronictl(primary, ['switchover', '--leader', primary.name, '--candidate', candidate.name, '--force']);
    expect(sw.status, `${sw.out}\n${tails(cluster)}`).toBe(0);
    expect(sw.out).toContain(`Successfully switched over to "${candidate.name}"`);
    const next = await waitForPrimary(cluster, [candidate], 30_000);
    await waitForStreaming(cluster, next, cluster.nodes.filter((n) => n !== next));
    primary = next;
    leaders.push(next.name);
  });

  it('GET /history, pgwardenctl history and patronictl history list both timelines with their new leaders', async () => {
    type Line = [number, number, string, string?, string?];
    const lines = await waitFor('/history with both promotions', async () => {
      const r = await api(primary, '/history');
      const h = r.status === 200 ? r.json<Line[]>() : [];
      return h.length >= 2 ? h : null;
    }, 30_000);
    // Timeline 1 ended when leaders[1] was promoted, timeline 2 when leaders[2] was.
    expect(lines.map((l) => [l[0], l[4]])).toEqual([
      [1, leaders[1]],
      [2, leaders[2]],
    ]);
    for (const l of lines) expect(l[3]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const ctl = spawnSync(process.execPath, [CTL_BIN, '-c', primary.configPath, 'history'], { encoding: 'utf8', timeout: 30_000 });
    const theirs = patronictl(primary, ['history']);
    for (const out of [`${ctl.stdout}${ctl.stderr}`, theirs.out]) {
      expect(out).toMatch(new RegExp(`\\|\\s*1\\s*\\|[^\\n]*${leaders[1]}`));
      expect(out).toMatch(new RegExp(`\\|\\s*2\\s*\\|[^\\n]*${leaders[2]}`));
    }
  });

  it('PATCH /config with a restart-only parameter shows pending_restart in /patroni', async () => {
    const reply = await api(primary, '/config', { method: 'PATCH', body: { postgresql: { parameters: { max_connections: 60 } } } });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json<{ postgresql: { parameters: Record<string, unknown> } }>().postgresql.parameters.max_connections).toBe(60);
    for (const n of cluster.nodes) {
      const s = await waitFor(
        `${n.name} reports pending_restart`,
        async () => {
          const st = await patroni(n);
          return st?.pending_restart === true ? st : null;
        },
        30_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${tails(cluster)}`);
      });
      expect(s.pending_restart_reason).toEqual({ max_connections: { old_value: '50', new_value: '60' } });
    }
  });

  it('POST /restart (replicas first, then the leader) applies it and clears pending_restart', async () => {
    const order = [...cluster.nodes.filter((n) => n !== primary), primary];
    for (const n of order) {
      const reply = await api(n, '/restart', { method: 'POST', body: { restart_pending: true }, timeoutMs: 60_000 });
      expect(reply.status, `${n.name}: ${reply.text}\n${tails(cluster)}`).toBe(200);
      expect(reply.text).toBe('restarted successfully');
      expect(psql(n, 'SHOW max_connections')).toEqual(['60']);
      await waitFor(`${n.name} no longer pending a restart`, async () => (await patroni(n))?.pending_restart === undefined, 15_000);
    }
    // The leader kept its lock through its restart.
    await waitForPrimary(cluster, [primary], 30_000);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
  });
});
