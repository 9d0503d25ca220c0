/**
 * Patroni's own patronictl reads a cluster pgwarden wrote: leader, roles and lag.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Dcs } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdapter } from './support/etcd-target.js';

const PATRONICTL = '/usr/bin/patronictl';
const MB = 1024 * 1024;

let etcd: EtcdCluster;
let dir: string;
beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'pgwarden-patronictl-'));
});
afterAll(async () => {
  await etcd?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ListRow {
  Cluster: string;
  Member: string;
  Host: string;
  Role: string;
  State: string;
  TL?: number;
  'Lag in MB'?: number;
}

it('patronictl list shows the leader, the replicas and their lag', async () => {
  const scope = 'ctl';
  const members = [
    { name: 'node1', port: 5432, role: 'primary', xlog: 64 * MB },
    { name: 'node2', port: 5433, role: 'replica', xlog: 48 * MB },
    { name: 'node3', port: 5434, role: 'replica', xlog: 64 * MB },
  ];
  const handles = await Promise.all(
    members.map(async (m) => {
      const adapter = await createAdapter(etcd, { scope, name: m.name, ttlSeconds: 30 });
      return { ...m, dcs: new Dcs({ adapter, timing: { ttl: 30, loopWait: 10, retryTimeout: 10 } }) };
    }),
  );
  try {
    for (const m of handles) {
      const touched = await m.dcs.touchMember({
        conn_url: `postgres://127.0.0.1:${m.port}/postgres`,
        api_url: `http://127.0.0.1:${m.port + 3576}/patroni`,
        state: 'running',
        role: m.role,
        version: '4.0.0',
        xlog_location: m.xlog,
        ...(m.role === 'replica' && { replication_state: 'streaming' }),
        timeline: 3,
      });
      expect(touched.kind).toBe('written');
    }
    expect((await handles[0]!.dcs.acquireLeader()).kind).toBe('held');
    expect((await handles[0]!.dcs.initialize({ createNew: true, sysid: '7381234567890123456' })).kind).toBe('written');
    expect((await handles[0]!.dcs.writeConfig({ ttl: 30, loop_wait: 10, retry_timeout: 10 })).kind).toBe('written');
    expect((await handles[0]!.dcs.writeStatus({ lastLsn: 64 * MB, slots: null })).kind).toBe('written');

    const config = join(dir, 'patroni.yml');
    writeFileSync(config, `scope: ${scope}\nnamespace: /service\netcd3:\n  hosts: ${etcd.hosts[0]}\n`);
    const { stdout } = await promisify(execFile)(PATRONICTL, ['-c', config, 'list', '-f', 'json'], { timeout: 60_000 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error(`${PATRONICTL} not found. Install it: apt-get install -y patroni`);
      throw error;
    });
    const rows = JSON.parse(stdout) as ListRow[];
    const byName = Object.fromEntries(rows.map((r) => [r.Member, r]));
    expect(rows.map((r) => r.Member).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(byName.node1).toMatchObject({ Cluster: scope, Host: '127.0.0.1:5432', Role: 'Leader', State: 'running', TL: 3 });
    expect(byName.node1!['Lag in MB']).toBeUndefined();
    expect(byName.node2).toMatchObject({ Host: '127.0.0.1:5433', Role: 'Replica', State: 'running', 'Lag in MB': 16 });
    expect(byName.node3).toMatchObject({ Role: 'Replica', 'Lag in MB': 0 });
  } finally {
    await Promise.all(handles.map((m) => m.dcs.close()));
  }
});
