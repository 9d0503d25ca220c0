/**
 * The built `pgwardenctl` against a running three-node cluster of real agents on etcd:
 * `list -f json`, `switchover --force`, `pause --wait` / `resume --wait` (checked in every
 * member's /patroni) and `query -c` on the leader.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patroni } from './api.js';
import { E2eCluster, SCOPE, SUPERUSER, waitFor, type AgentNode } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const CTL = fileURLToPath(new URL('../../bin/pgwardenctl.js', import.meta.url));

interface Ctl {
  readonly code: number | null;
  readonly out: string;
  readonly stdout: string;
}

describe('pgwarden e2e: pgwardenctl against a live cluster', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let ctlConfig: string;
  const running = new Set<ReturnType<typeof spawn>>();

  function ctl(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<Ctl> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CTL, '-c', ctlConfig, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TZ: 'UTC', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        running.delete(child);
        resolve({ code, stdout, out: `${stdout}${stderr}` });
      });
    });
  }

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'ctl', nodes: 3 });
    ctlConfig = join(cluster.root, 'ctl.yml');
    writeFileSync(ctlConfig, `scope: ${SCOPE}\nnamespace: /service\n${cluster.dcs.yaml}`);
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary));
  });

  afterAll(async () => {
    for (const c of running) c.kill('SIGKILL');
    await cluster?.close();
  });

  it('list -f json shows one Leader and two Replicas with their lag', async () => {
    const rows = await waitFor(
      'pgwardenctl list to show a leader and two streaming replicas',
      async () => {
        const r = await ctl(['list', '-f', 'json']);
        if (r.code !== 0) throw new Error(r.out);
        const parsed = JSON.parse(r.stdout) as Record<string, unknown>[];
        return parsed.length === 3 && parsed.filter((m) => m.Role === 'Replica' && typeof m['Replay Lag'] === 'number').length === 2 ? parsed : null;
      },
      30_000,
    );
    expect(rows.map((m) => m.Member).sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
    const leaders = rows.filter((m) => m.Role === 'Leader');
    expect(leaders.map((m) => m.Member)).toEqual([primary.name]);
    for (const m of rows) expect(m.Cluster).toBe(SCOPE);
    for (const m of rows.filter((x) => x.Role === 'Replica')) {
      // Patroni 4.1's columns: a streaming replica publishes its receive and replay positions.
      expect(m['Replay Lag']).toBeGreaterThanOrEqual(0);
      expect(m['Receive LSN']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(m.State).toMatch(/^(streaming|running)$/);
    }
  });

  it('switchover --leader L --candidate C --force moves the leader', async () => {
    const candidate = cluster.nodes.find((n) => n !== primary)!;
    const r = await ctl(['switchover', '--leader', primary.name, '--candidate', candidate.name, '--force'], {}, 60_000);
    expect(r.code, `${r.out}\n${tails(cluster)}`).toBe(0);
    expect(r.out).toContain(`Successfully switched over to "${candidate.name}"`);
    primary = await waitForPrimary(cluster, [candidate], 30_000);
    await waitForStreaming(cluster, primary, cluster.nodes.filter((n) => n !== primary), 30_000);
    const list = await ctl(['list', '-f', 'json']);
    expect(list.code, list.out).toBe(0);
    const leaders = (JSON.parse(list.stdout) as Record<string, unknown>[]).filter((m) => m.Role === 'Leader');
    expect(leaders.map((m) => m.Member)).toEqual([candidate.name]);
  });

  it('pause --wait then resume --wait: every member reports pause, then not', async () => {
    const p = await ctl(['pause', '--wait']);
    expect(p.code, `${p.out}\n${tails(cluster)}`).toBe(0);
    expect(p.out).toContain('Success: cluster management is paused');
    for (const n of cluster.nodes) {
      await waitFor(`${n.name} /patroni shows pause`, async () => (await patroni(n))?.pause === true, 10_000);
    }

    const r = await ctl(['resume', '--wait']);
    expect(r.code, `${r.out}\n${tails(cluster)}`).toBe(0);
    expect(r.out).toContain('Success: cluster management is resumed');
    for (const n of cluster.nodes) {
      await waitFor(`${n.name} /patroni no longer shows pause`, async () => {
        const st = await patroni(n);
        return st !== null && st.pause !== true;
      }, 10_000);
    }
  });

  it("query -c 'SELECT 1' runs on the leader", async () => {
    const r = await ctl(['query', '-U', SUPERUSER.username, '-d', 'postgres', '-c', 'SELECT 1 AS one'], { PGPASSWORD: SUPERUSER.password });
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['one', '1']);

    const leader = await ctl(['query', '-U', SUPERUSER.username, '-d', 'postgres', '-c', 'SELECT pg_is_in_recovery(), inet_server_port()'], { PGPASSWORD: SUPERUSER.password });
    expect(leader.code, leader.out).toBe(0);
    // patronictl prints Python's spelling of booleans.
    expect(leader.stdout.trim().split('\n')).toEqual(['pg_is_in_recovery\tinet_server_port', `False\t${primary.pgPort}`]);
  });
});
