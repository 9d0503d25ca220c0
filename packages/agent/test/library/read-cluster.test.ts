/**
 * readClusterFromConfig against a real etcd: it returns what the members wrote, and it
 * reads without joining (no member key, no leader change, nothing left open).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dcs } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readClusterFromConfig } from '../../src/index.js';
import { memberDcs } from '../ctl/support/dcs-cluster.js';

const SCOPE = `read-cluster-${process.pid}`;
let etcd: EtcdCluster;
let node1: Dcs;
let dir: string;

function configFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'read-cluster-'));
  node1 = await memberDcs(etcd, SCOPE, 'node1');
  expect((await node1.acquireLeader()).kind).toBe('held');
  expect((await node1.touchMember({ state: 'running', role: 'primary', api_url: 'http://127.0.0.1:8008/patroni' })).kind).toBe('written');
  expect((await node1.writeConfig({ ttl: 30, loop_wait: 10 })).kind).toBe('written');
});

afterAll(async () => {
  await node1?.close();
  await etcd?.close();
});

it('returns the leader, members and config of the cluster the file names, and writes nothing', async () => {
  const path = configFile('patroni.yml', `scope: ${SCOPE}\nname: dashboard\netcd3:\n  hosts: ${etcd.hosts.join(',')}\n`);
  const cluster = await readClusterFromConfig(path);
  expect(cluster.leader?.name).toBe('node1');
  expect(cluster.members.map((m) => m.name)).toEqual(['node1']);
  expect(cluster.members[0]!.data).toMatchObject({ role: 'primary', api_url: 'http://127.0.0.1:8008/patroni' });
  expect(cluster.config?.data).toEqual({ ttl: 30, loop_wait: 10 });
  // Read-only: the reader did not register itself, and the leader still holds the lock.
  const again = await readClusterFromConfig(path);
  expect(again.members.map((m) => m.name)).toEqual(['node1']);
  const seen = await node1.loadCluster({ linearizable: true });
  if (seen.kind !== 'loaded') throw new Error(seen.cause.message);
  expect((await node1.refreshLeader(seen.cluster)).kind).toBe('held');
});

it('reads another scope in the same DCS when asked, and applies PATRONI_* overrides', async () => {
  const path = configFile('other.yml', `scope: not-this-one\netcd3:\n  hosts: ${etcd.hosts.join(',')}\n`);
  expect((await readClusterFromConfig(path, { scope: SCOPE })).leader?.name).toBe('node1');
  expect((await readClusterFromConfig(path, { env: { PATRONI_SCOPE: SCOPE } })).leader?.name).toBe('node1');
});

it('names the file and the missing key when the file has no scope', async () => {
  const path = configFile('noscope.yml', `etcd3:\n  hosts: ${etcd.hosts.join(',')}\n`);
  await expect(readClusterFromConfig(path, { env: {} })).rejects.toThrow(`${path}: 'scope' is missing`);
});
