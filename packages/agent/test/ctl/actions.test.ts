/**
 * Commands that act through a member's REST API, against the agent's real REST API
 * server (with an in-test ApiActions on the real etcd) and a real etcd: reload,
 * restart, reinit, pause/resume --wait, switchover (scheduled and immediate), flush,
 * version, dsn, and `--api` reads. Basic auth comes from the config's ctl section.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberData } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../api/tls-certs.js';
import { AUTH, startApiNode, type ApiNode } from './support/api-node.js';
import { member, MB, SYSID, writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

/** A loopback port nobody listens on (node3's API is down). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let etcd: EtcdCluster;
let cluster: WrittenCluster;
let node1: ApiNode;
let node2: ApiNode;
let tlsNode: ApiNode; // node2's twin over HTTPS, demanding a client certificate
let certs: TestCerts;
let config: string;
const data = new Map<string, MemberData>();

const ctl = (...args: string[]) => runCtl(['-c', config, ...args]);

beforeAll(async () => {
  etcd = await startEtcd();
  const handles = () => ({ dcs: (n: string) => cluster.handles.get(n)!, data: (n: string) => data.get(n)! });
  node1 = await startApiNode('node1', 'primary', handles);
  node2 = await startApiNode('node2', 'replica', handles);
  certs = makeTestCerts();
  tlsNode = await startApiNode('node2', 'replica', handles, { certfile: certs.serverCert, keyfile: certs.serverKey, cafile: certs.caFile, verify_client: 'required' });
  for (const n of [node1, node2, tlsNode]) n.source.state = { ...n.source.state, systemIdentifier: SYSID };
  const specs = [
    member('node1', 5432, 'primary', 64 * MB, { api_url: node1.apiUrl }),
    member('node2', 5433, 'replica', 48 * MB, { api_url: node2.apiUrl, replication_state: 'streaming' }),
    member('node3', 5434, 'replica', 64 * MB, { api_url: `http://127.0.0.1:${await closedPort()}/patroni`, replication_state: 'streaming' }),
  ];
  for (const s of specs) data.set(s.name, s.data);
  cluster = await writeCluster(etcd, 'act', { members: specs });
  config = join(mkdtempSync(join(tmpdir(), 'pgwardenctl-act-')), 'patroni.yml');
  writeFileSync(config, `scope: act\netcd3:\n  hosts: ${etcd.hosts[0]}\nctl:\n  authentication:\n    username: ${AUTH.username}\n    password: ${AUTH.password}\n`);
});
afterAll(async () => {
  await node1?.server.close();
  await node2?.server.close();
  await tlsNode?.server.close();
  certs?.cleanup();
  await cluster?.close();
  await etcd?.close();
});

describe('through the REST API', () => {
  it('reload posts /reload to each member and reports the answer', async () => {
    const res = await ctl('reload', 'act', 'node1', 'node2', '--force');
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Reload request received for member node1 and will be processed within 10 seconds\n');
    expect(res.stdout).toContain('Reload request received for member node2 and will be processed within 10 seconds\n');
    expect(node1.actions.called('reload')).toHaveLength(1);
    expect(node2.actions.called('reload')).toHaveLength(1);

    // Wrong credentials: the API's 401 is reported per member, as patronictl does.
    const bad = join(mkdtempSync(join(tmpdir(), 'pgwardenctl-bad-')), 'p.yml');
    writeFileSync(bad, `scope: act\netcd3:\n  hosts: ${etcd.hosts[0]}\nrestapi:\n  authentication:\n    username: admin\n    password: wrong\n`);
    const denied = await runCtl(['-c', bad, 'reload', 'act', 'node1', '--force']);
    expect(denied.stdout).toContain('Failed: reload for member node1, status code=401, (not authenticated)');
  });

  it('restart asks when and confirms, then posts /restart; scheduled restarts carry the filters', async () => {
    const asked = await ctl('restart', 'act', 'node2');
    expect(asked.stdout).toMatch(/When should the restart take place \(e\.g\. \d{4}-\d\d-\d\dT\d\d:\d\d\)  \[now\]: \n$/);
    expect(asked.stderr).toBe('Aborted!\n');

    const now = await runCtl(['-c', config, 'restart', 'act', 'node2'], { input: '\ny\n\n' });
    expect(now.stdout).toContain('Are you sure you want to restart members node2? [y/N]: ');
    expect(now.stdout).toContain('Success: restart on member node2\n');
    expect(node2.actions.called('restart')).toEqual([[{}]]);

    const later = await ctl('restart', 'act', 'node1', '--scheduled', '2035-01-01T10:00:00+00:00', '--pg-version', '16.1', '--pending', '--force');
    expect(later.stdout).toContain('Success: restart scheduled on member node1\n');
    expect(node1.actions.called('scheduleRestart')[0]![0]).toMatchObject({ schedule: '2035-01-01T10:00:00+00:00', postgresVersion: '16.1', restartPending: true });
    // The member keys carry no scheduled_restart (no HA loop runs here), so nothing to flush.
    const flushed = await ctl('flush', 'act', 'node1', 'restart', '--force');
    expect(flushed.stdout).toMatch(/No scheduled restart for member node1\n$/);
  });

  it('reinit works on replicas only', async () => {
    const res = await runCtl(['-c', config, 'reinit', 'act', 'node2', '--force', '--wait'], { env: { PGWARDENCTL_POLL_MS: '100' } });
    expect(res.stdout).toContain('Success: reinitialize for member node2\nWaiting for reinitialize to complete on: node2\nReinitialize is completed on: node2\n');
    expect(node2.actions.called('reinitialize')).toEqual([[true]]);
    const leader = await ctl('reinit', 'act', 'node1', '--force');
    expect(leader.code).toBe(1);
    expect(leader.stderr).toBe('Error: No replica among provided members\n');
  });

  it('pause --wait and resume --wait wait for every member key to flip', async () => {
    const paused = await ctl('pause', '--wait');
    expect(paused.stderr).toBe('');
    expect(paused.stdout).toBe("'pause' request sent, waiting until it is recognized by all nodes\nSuccess: cluster management is paused\n");
    const listed = await ctl('list');
    expect(listed.stdout).toMatch(/\n Maintenance mode: on\n$/);
    const again = await ctl('pause');
    expect(again.stderr).toBe('Error: Cluster is already paused\n');
    const resumed = await ctl('resume', '--wait');
    expect(resumed.stdout).toContain('Success: cluster management is resumed\n');
    expect(node1.actions.called('writeConfig').map((c) => JSON.parse(c[0] as string).pause)).toEqual([true, undefined]);
  });

  it('a scheduled switchover shows in the footer and flush removes it', async () => {
    // Every answer through the prompts, as an operator at a terminal would give them.
    const res = await runCtl(['-c', config, 'switchover'], { input: '\nnode2\n2035-01-01T10:00+00:00\ny\n' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain("Primary [node1]: Candidate ['node2', 'node3'] []: When should the switchover take place (e.g. ");
    expect(res.stdout).toContain(' )  [now]: Are you sure you want to schedule switchover of cluster act at 2035-01-01T10:00:00+00:00, demoting current leader node1? [y/N]: ');
    expect(res.stdout).toMatch(/^Current cluster topology\n\+ Cluster: act \(7381234567890123456\) /);
    expect(res.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{5} Switchover scheduled\n/);
    expect(res.stdout).toContain(' Switchover scheduled at: 2035-01-01T10:00:00+00:00\n                    from: node1\n                      to: node2\n');
    const flushed = await ctl('flush', 'act', 'switchover');
    expect(flushed.stdout).toBe('Success: scheduled switchover deleted\n');
    expect((await ctl('flush', 'act', 'switchover')).stdout).toBe('No pending scheduled switchover\n');
  });

  it('refuses bad switchover and failover requests before calling the API', async () => {
    const [notLeader, already, noCandidate] = await Promise.all([
      ctl('switchover', '--leader', 'node3', '--force'),
      ctl('switchover', '--candidate', 'node1', '--force'),
      ctl('failover', '--force'),
    ]);
    expect(notLeader.stderr).toBe('Error: Member node3 is not the leader of cluster act\n');
    expect(already.stderr).toBe('Error: Member node1 is already the leader of cluster act\n');
    expect(noCandidate.stderr).toBe('Error: Failover could be performed only to a specific candidate\n');
    expect(node1.actions.called('writeFailover')).toHaveLength(2); // the scheduled one and its flush
  });

  it('version asks each member; dsn gives the leader or a member', async () => {
    const [res, leader] = await Promise.all([ctl('version', 'act'), ctl('dsn')]);
    const [node3, both] = await Promise.all([ctl('dsn', '-m', 'node3'), ctl('dsn', '-m', 'node3', '-r', 'replica')]);
    expect(res.stdout).toMatch(/^pgwardenctl version \d+\.\d+\.\d+\n\nnode1: Patroni 4\.0\.0 PostgreSQL 15\.4\nnode2: Patroni 4\.0\.0 PostgreSQL 15\.4\nnode3: failed to get version: .*ECONNREFUSED/);
    expect(leader.stdout).toBe('host=127.0.0.1 port=5432\n');
    expect(node3.stdout).toBe('host=127.0.0.1 port=5434\n');
    expect(both.stderr).toBe('Error: --role and --member are mutually exclusive options\n');
  });

  it('--api reads the same cluster from a member REST API as from the DCS', async () => {
    const [viaDcs, viaApi] = await Promise.all([ctl('list'), runCtl(['--api', node2.server.url, 'list', 'act'])]);
    const [history, edit] = await Promise.all([
      runCtl(['--api', node2.server.url, 'history', 'act', '-f', 'json']),
      runCtl(['--api', node2.server.url, 'edit-config', 'act', '-s', 'ttl=20', '--force']),
    ]);
    expect(viaApi.stderr).toBe('');
    expect(viaApi.stdout).toBe(viaDcs.stdout);
    expect(JSON.parse(history.stdout)).toHaveLength(2);
    expect(edit.stderr).toMatch(/^Error: edit-config writes to the DCS directly/);
  });

  it('--api over HTTPS: ctl.cacert verifies the server, ctl.certfile/keyfile answer the client check, -k skips verification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgwardenctl-tls-'));
    const client = `ctl:\n  certfile: ${join(certs.dir, 'client.crt')}\n  keyfile: ${join(certs.dir, 'client.key')}\n`;
    const verified = join(dir, 'verified.yml');
    writeFileSync(verified, `scope: act\n${client}  cacert: ${certs.caFile}\n`);
    const unverified = join(dir, 'unverified.yml');
    writeFileSync(unverified, `scope: act\n${client}`);
    const url = tlsNode.server.url;
    expect(url).toMatch(/^https:/);
    const [ok, refused, insecure, viaDcs] = [
      await runCtl(['-c', verified, '--api', url, 'list', '-f', 'json']),
      await runCtl(['-c', unverified, '--api', url, 'list']),
      await runCtl(['-c', unverified, '-k', '--api', url, 'list', '-f', 'json']),
      await ctl('list', '-f', 'json'),
    ];
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe(viaDcs.stdout);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: REST API at https:\/\/127\.0\.0\.1:\d+ is not accessible: .*certificate/);
    expect(insecure.stdout).toBe(viaDcs.stdout);
  });

  it('switchover now: the API waits for the new leader and the new table is printed', async () => {
    const res = await ctl('switchover', '--candidate', 'node2', '--force');
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/\d\d:\d\d:\d\d\.\d{5} Successfully switched over to "node2"\n/);
    const after = res.stdout.slice(res.stdout.indexOf('Successfully'));
    expect(after).toMatch(/\| node2 +\| 127\.0\.0\.1:5433 \| Leader +\|/);
  });
});
