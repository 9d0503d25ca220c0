/**
 * The same commands against Consul (the testkit's protocol double, as no Consul server
 * can run here): the adapter is picked by the `consul` section or `consul://` URL.
 */
import { startConsulDouble, type ConsulDouble } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consulTarget } from './support/consul-target.js';
import { SYSID, writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

let consul: ConsulDouble;
let cluster: WrittenCluster;
beforeAll(async () => {
  consul = await startConsulDouble();
  cluster = await writeCluster(consulTarget(consul), 'viaconsul');
});
afterAll(async () => {
  await cluster?.close();
  await consul?.close();
});

it('lists the cluster and edits its config with CAS', async () => {
  const list = await runCtl(['-c', cluster.configFile, 'list']);
  expect(list.stderr).toBe('');
  expect(list.stdout).toContain(`+ Cluster: viaconsul (${SYSID}) `);
  expect(list.stdout).toContain('| node2  | 127.0.0.1:5433 | Replica | running |  3 |     unknown |     |  0/3000000 |  16 |');
  const edit = await runCtl(['--dcs-url', `consul://127.0.0.1:${consul.port}`, 'edit-config', 'viaconsul', '-s', 'ttl=25', '--force']);
  expect(edit.stderr).toBe('');
  expect(edit.stdout).toContain('-ttl: 30\n+ttl: 25\nConfiguration changed\n');
  const shown = await runCtl(['-c', cluster.configFile, 'show-config']);
  expect(shown.stdout).toContain('ttl: 25\n');
});
