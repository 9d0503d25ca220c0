/**
 * `PATCH /config` with a `postgresql.pg_hba` that refuses a role: within a loop the node
 * whose patroni.yml sets no pg_hba refuses that role ("pg_hba.conf rejects connection"),
 * through a reload (same postmaster). The node whose patroni.yml sets pg_hba keeps its
 * own: Patroni's precedence, local over dynamic. Two agents on etcd, real PostgreSQL 15.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresBinDir } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { E2eCluster, psql, sleep, waitFor, type AgentNode } from './cluster.js';

const CTL_BIN = fileURLToPath(new URL('../../bin/pgwardenctl.js', import.meta.url));
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const APP = { user: 'app_user', password: 'app-e2e-pass' };
const DYNAMIC_HBA = [
  'local all all trust',
  `host all ${APP.user} 127.0.0.1/32 reject`,
  'host all all 127.0.0.1/32 md5',
  'host replication replicator 127.0.0.1/32 md5',
];

/** psql as app_user over TCP: 'connected', or psql's error. */
function connectAsApp(node: AgentNode): string {
  const r = spawnSync(join(postgresBinDir(), 'psql'), ['-h', '127.0.0.1', '-p', String(node.pgPort), '-U', APP.user, '-d', 'postgres', '-XAtq', '-c', 'SELECT 1'], {
    env: { ...process.env, PGPASSWORD: APP.password, PGCONNECT_TIMEOUT: '3' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return r.status === 0 ? 'connected' : (r.stderr || r.error?.message || '').trim();
}

/** patroni.yml without its `postgresql.pg_hba` (bootstrap.pg_hba stays). */
function dropLocalPgHba(node: AgentNode): void {
  const text = readFileSync(node.configPath, 'utf8');
  const at = text.indexOf('\npostgresql:\n');
  const rest = text.slice(at).replace(/\n {2}pg_hba:\n(?: {4}- .*\n)+/, '\n');
  expect(rest).not.toContain('pg_hba');
  writeFileSync(node.configPath, text.slice(0, at) + rest);
}

describe('pgwarden e2e: postgresql.pg_hba from /config', () => {
  let cluster: E2eCluster;
  let dynamicNode: AgentNode;
  let localNode: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'dynamic-pg-hba', nodes: 2 });
    [dynamicNode, localNode] = cluster.nodes as [AgentNode, AgentNode];
    dropLocalPgHba(dynamicNode);
    cluster.start(dynamicNode);
    await waitForPrimary(cluster, [dynamicNode]);
    cluster.start(localNode);
    await waitForStreaming(cluster, dynamicNode, [localNode]);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('a PATCH /config pg_hba refuses the role within a loop, without a restart; a local pg_hba wins over it', async () => {
    psql(dynamicNode, `CREATE ROLE ${APP.user} LOGIN PASSWORD '${APP.password}'`);
    expect(connectAsApp(dynamicNode)).toBe('connected');
    await waitFor('app_user on the replica', () => connectAsApp(localNode) === 'connected', 20_000);
    const pid = cluster.postmasterPid(dynamicNode);

    const patched = await api(dynamicNode, '/config', { method: 'PATCH', body: { postgresql: { pg_hba: DYNAMIC_HBA } } });
    expect(patched.status, patched.text).toBe(200);
    const patchedAt = Date.now();
    // loop_wait is 1 s: the next cycle reads /config, rewrites pg_hba.conf and reloads.
    const refused = await waitFor('app_user refused on the node without a local pg_hba', () => {
      const r = connectAsApp(dynamicNode);
      return r === 'connected' ? null : r;
    }, 5000, 100).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    expect(refused).toMatch(/pg_hba\.conf rejects connection .*user "app_user"/);
    expect(Date.now() - patchedAt).toBeLessThan(5000);
    expect(cluster.postmasterPid(dynamicNode)).toBe(pid);
    expect(readFileSync(join(dynamicNode.dataDir, 'pg_hba.conf'), 'utf8')).toBe(DYNAMIC_HBA.join('\n') + '\n');
    // The agent logs after the reload took effect, and its output reaches us through a pipe: wait for the line.
    await waitFor('the rewrite logged', () => /Rewrote pg_hba\.conf from the dynamic configuration and reloaded PostgreSQL/.test(dynamicNode.output), 10_000);
    // The superuser still gets in: only the role the new rule names is refused.
    expect(psql(dynamicNode, 'SELECT 1')).toEqual(['1']);

    // patroni.yml sets pg_hba on the other node: /config's is not used there.
    await waitFor('the replica notes that its local pg_hba wins', () => /postgresql\.pg_hba of the dynamic configuration is not used/.test(localNode.output), 5000);
    await sleep(1500);
    expect(connectAsApp(localNode)).toBe('connected');
    expect(readFileSync(join(localNode.dataDir, 'pg_hba.conf'), 'utf8')).not.toContain('reject');
  });

  it('pgwardenctl edit-config changes pg_hba the same way: app_user is let in again within a loop', async () => {
    const pid = cluster.postmasterPid(dynamicNode);
    const open = DYNAMIC_HBA.filter((line) => !line.includes('reject'));
    const yaml = `postgresql:\n  pg_hba:\n${open.map((l) => `    - ${l}`).join('\n')}\n`;
    const ctl = spawnSync(process.execPath, [CTL_BIN, '-c', dynamicNode.configPath, 'edit-config', '--apply', '-', '--force'], { input: yaml, encoding: 'utf8', timeout: 30_000 });
    expect(ctl.status, `${ctl.stdout}${ctl.stderr}`).toBe(0);
    expect(ctl.stdout).toContain('Configuration changed');
    const changedAt = Date.now();
    await waitFor('app_user let in again', () => connectAsApp(dynamicNode) === 'connected', 5000, 100).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    expect(Date.now() - changedAt).toBeLessThan(5000);
    expect(cluster.postmasterPid(dynamicNode)).toBe(pid);
  });
});
