/**
 * Start-up: unreachable endpoints are named in the error, a dead endpoint in the list
 * is skipped, and credentials are checked (right ones work, wrong ones are fatal).
 */
import { execFileSync } from 'node:child_process';
import { DcsError, Dcs } from '@pgwarden/core';
import { freePorts, startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from './support/etcd-target.js';

describe('etcd unreachable at start', () => {
  it('rejects with a DcsError naming every endpoint tried', async () => {
    // Free ports with nothing listening: connections are refused.
    const [p1, p2] = await freePorts(2);
    const started = performance.now();
    const failure = await createAdapter({ hosts: [`127.0.0.1:${p1}`, `127.0.0.1:${p2}`], protocol: 'http' }, { scope: 'dead', name: 'a' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DcsError);
    expect((failure as DcsError).code).toBe('connection-failed');
    expect((failure as DcsError).message).toContain(`http://127.0.0.1:${p1}`);
    expect((failure as DcsError).message).toContain(`http://127.0.0.1:${p2}`);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('with a live etcd', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('skips a dead endpoint listed first and works through the live one', async () => {
    const [dead] = await freePorts(1);
    const adapter = await createAdapter({ hosts: [`127.0.0.1:${dead}`, etcd.hosts[0]!], protocol: 'http' }, { scope: 'failover', name: 'a' });
    const dcs = new Dcs({ adapter, timing: { ttl: 10, loopWait: 1, retryTimeout: 3 } });
    try {
      expect(adapter.endpoints.currentUrl).toBe(etcd.endpoints[0]);
      expect((await dcs.acquireLeader()).kind).toBe('held');
      expect((await dcs.loadCluster()).kind).toBe('loaded');
    } finally {
      await dcs.close();
    }
  });

  it('authenticates with username and password, and refuses wrong ones at start', async () => {
    const endpoint = etcd.endpoints[0]!;
    const ctl = (...args: string[]): string => execFileSync('etcdctl', ['--endpoints', endpoint, ...args]).toString();
    ctl('user', 'add', 'root:rootpw');
    ctl('auth', 'enable');
    try {
      const adapter = await createAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: 'rootpw' }, { scope: 'auth', name: 'a' });
      const dcs = new Dcs({ adapter, timing: { ttl: 10, loopWait: 1, retryTimeout: 3 } });
      try {
        expect((await dcs.acquireLeader()).kind).toBe('held');
        expect((await dcs.writeConfig({ ttl: 10 })).kind).toBe('written');
        const loaded = await dcs.loadCluster({ linearizable: true });
        expect(loaded.kind === 'loaded' && loaded.cluster.leader?.name).toBe('a');
      } finally {
        await dcs.close();
      }

      const refused = await createAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: 'wrong' }, { scope: 'auth', name: 'b' }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DcsError);
      expect((refused as DcsError).code).toBe('auth-failed');
      expect((refused as DcsError).transient).toBe(false);
    } finally {
      ctl('--user', 'root:rootpw', 'auth', 'disable');
    }
  });
});
