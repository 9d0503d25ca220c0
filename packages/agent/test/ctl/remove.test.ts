/**
 * `remove` asks its three confirmations (cluster name, "Yes I am aware", the leader's
 * name), answered here through stdin, and only then deletes the cluster's keys.
 */
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

let etcd: EtcdCluster;
let cluster: WrittenCluster;
beforeAll(async () => {
  etcd = await startEtcd();
  cluster = await writeCluster(etcd, 'doomed');
});
afterAll(async () => {
  await cluster?.close();
  await etcd?.close();
});

async function keysLeft(): Promise<number> {
  const loaded = await cluster.handles.get('node2')!.loadCluster({ linearizable: true });
  if (loaded.kind !== 'loaded') throw new Error('DCS unavailable');
  const c = loaded.cluster;
  return c.members.length + (c.leader ? 1 : 0) + (c.config ? 1 : 0) + (c.initialize !== null ? 1 : 0) + (c.history ? 1 : 0);
}

it('stops at a wrong answer, deletes everything after three right ones', async () => {
  const wrongName = await runCtl(['-c', cluster.configFile, 'remove', 'doomed'], { input: 'other\n' });
  expect(wrongName.code).toBe(1);
  expect(wrongName.stderr).toBe('Error: Cluster names specified do not match\n');

  const wrongLeader = await runCtl(['-c', cluster.configFile, 'remove', 'doomed'], { input: 'doomed\nYes I am aware\nnode2\n' });
  expect(wrongLeader.stdout).toContain('| node1  | 127.0.0.1:5432 | Leader  |');
  expect(wrongLeader.stdout).toContain('Please confirm the cluster name to remove: ');
  expect(wrongLeader.stdout).toContain('You are about to remove all information in DCS for doomed, please type: "Yes I am aware": ');
  expect(wrongLeader.stdout).toContain('This cluster currently is healthy. Please specify the leader name to continue: ');
  expect(wrongLeader.stderr).toBe('Error: You did not specify the current leader of the cluster\n');
  expect(await keysLeft()).toBe(7);

  const done = await runCtl(['-c', cluster.configFile, 'remove', 'doomed'], { input: 'doomed\nYes I am aware\nnode1\n' });
  expect(done.stderr).toBe('');
  expect(done.code).toBe(0);
  expect(await keysLeft()).toBe(0);

  const gone = await runCtl(['-c', cluster.configFile, 'list']);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toMatch(/^Error: Cluster doomed does not exist/);
});
