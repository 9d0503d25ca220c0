/**
 * The HTTP gateway transport against a real etcd: a frozen server costs a call no more
 * than its deadline (the request is destroyed, not left behind), an aborted call stops
 * at once, and a restarted etcd that forgot our auth token is answered by one new
 * authentication.
 */
import { Dcs, DcsError, silentLogger, systemClock } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoints } from '../src/client.js';
import { createAdapter, enableAuth } from './support/etcd-target.js';

const TIMING = { ttl: 10, loopWait: 1, retryTimeout: 3 };

describe('deadlines and cancellation', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.close();
  });

  const endpoints = (): Endpoints => new Endpoints({ section: { hosts: [...etcd.hosts], protocol: 'http' }, clock: systemClock, logger: silentLogger });
  const range = (e: Endpoints, signal: AbortSignal, timeoutMs: number) =>
    e.call({ signal, deadline: systemClock.now() + timeoutMs }, 'range', (client, options) => client.kv.range({ key: Buffer.from('/x') }, options));

  it('a frozen etcd: the call fails deadline-exceeded at its deadline, and works again after the thaw', async () => {
    const e = endpoints();
    try {
      await range(e, new AbortController().signal, 2000);
      await etcd.members[0]!.freeze();
      const started = performance.now();
      const failure = await range(e, new AbortController().signal, 500).then(() => null, (error: unknown) => error);
      const took = performance.now() - started;
      await etcd.members[0]!.thaw();
      expect(failure).toBeInstanceOf(DcsError);
      expect((failure as DcsError).code).toBe('deadline-exceeded');
      expect((failure as DcsError).transient).toBe(true);
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(2000);
      expect((await range(e, new AbortController().signal, 5000)).header.revision).toMatch(/^\d+$/);
    } finally {
      await etcd.members[0]!.thaw();
      e.close();
    }
  });

  it('an aborted call settles at once, long before its deadline', async () => {
    const e = endpoints();
    try {
      await etcd.members[0]!.freeze();
      const controller = new AbortController();
      const started = performance.now();
      const pending = range(e, controller.signal, 10_000).then(() => null, (error: unknown) => error);
      setTimeout(() => controller.abort(), 100);
      const failure = await pending;
      expect(failure).toBeInstanceOf(DcsError);
      expect((failure as DcsError).code).toBe('deadline-exceeded');
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await etcd.members[0]!.thaw();
      e.close();
    }
  });
});

describe('authentication tokens', () => {
  let etcd: EtcdCluster;
  const PASSWORD = 'Tok3n-ETCD-xyz';
  beforeAll(async () => {
    etcd = await startEtcd();
    enableAuth(etcd, PASSWORD);
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('a restarted etcd forgot the token: the next call authenticates again and succeeds', async () => {
    const adapter = await createAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: PASSWORD }, { scope: 'token', name: 'a' });
    const dcs = new Dcs({ adapter, timing: TIMING });
    try {
      expect((await dcs.writeConfig({ ttl: 10 })).kind).toBe('written');
      // etcd keeps simple tokens in memory only.
      await etcd.members[0]!.stop();
      await etcd.members[0]!.start();
      expect((await dcs.writeConfig({ ttl: 20 })).kind).toBe('written');
      const loaded = await dcs.loadCluster({ linearizable: true });
      expect(loaded.kind === 'loaded' && loaded.cluster.config?.data).toEqual({ ttl: 20 });
    } finally {
      await dcs.close();
    }
  });
});
