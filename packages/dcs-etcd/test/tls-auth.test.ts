/**
 * etcd over TLS with client certificates, and etcd's user/password authentication,
 * against a real etcd (the testkit's `tls` option makes the certificates with openssl).
 * The adapter works with `protocol: https` + `cacert`/`cert`/`key`; without the client
 * certificate or with a wrong password it fails fast with an error that says why.
 */
import { Dcs, DcsError, KeyLayout, silentLogger, systemClock, type DcsWatchEvent } from '@pgwarden/core';
import { startEtcd, type EtcdCluster, type EtcdTlsFiles } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3Dcs, type Etcd3Section } from '../src/index.js';
import { createAdapter, enableAuth } from './support/etcd-target.js';

const TIMING = { ttl: 10, loopWait: 1, retryTimeout: 3 };

/** An adapter built without the start-up probe, so each call's outcome can be looked at. */
function unprobedAdapter(section: Etcd3Section, scope: string, name: string): Etcd3Dcs {
  return new Etcd3Dcs({
    section,
    layout: new KeyLayout({ scope }),
    name,
    ttlSeconds: TIMING.ttl,
    loopWaitSeconds: TIMING.loopWait,
    retryTimeoutSeconds: TIMING.retryTimeout,
    clock: systemClock,
    logger: silentLogger,
  });
}

async function rejection(promise: Promise<unknown>): Promise<DcsError> {
  const failure = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(DcsError);
  return failure as DcsError;
}

function waitFor<T>(what: string, ms: number, register: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('etcd with client TLS (--client-cert-auth)', () => {
  let etcd: EtcdCluster;
  let tls: EtcdTlsFiles;
  let section: Etcd3Section;

  beforeAll(async () => {
    etcd = await startEtcd({ tls: true });
    tls = etcd.tls!;
    section = { hosts: [...etcd.hosts], protocol: 'https', cacert: tls.caFile, cert: tls.clientCertFile, key: tls.clientKeyFile };
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('serves https only', () => {
    expect(etcd.endpoints[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(tls.clientCertAuth).toBe(true);
  });

  it('acquires the lock, writes and reads keys, and sees a change through its watch', async () => {
    const a = new Dcs({ adapter: await createAdapter(section, { scope: 'tls', name: 'a' }), timing: TIMING });
    const b = new Dcs({ adapter: await createAdapter(section, { scope: 'tls', name: 'b' }), timing: TIMING });
    try {
      expect((await a.acquireLeader()).kind).toBe('held');
      expect((await b.acquireLeader()).kind).toBe('lost');
      expect((await a.touchMember({ conn_url: 'postgres://127.0.0.1:5432/postgres', state: 'running', role: 'primary' })).kind).toBe('written');
      expect((await a.initialize({ createNew: true, sysid: '7000000000000000001' })).kind).toBe('written');

      const loaded = await b.loadCluster({ linearizable: true });
      expect(loaded.kind).toBe('loaded');
      if (loaded.kind !== 'loaded') return;
      expect(loaded.cluster.leader?.name).toBe('a');
      expect(loaded.cluster.initialize).toBe('7000000000000000001');
      expect(loaded.cluster.members.map((m) => m.name)).toEqual(['a']);

      // b watches; a writes /config; b hears of it.
      const heard = waitFor<DcsWatchEvent>('config event', 10_000, (resolve) => {
        b.onChange((event) => {
          if (event.key === 'config') resolve(event);
        });
      });
      // Let b's watch stream come up before the write (a cached load starts it).
      await b.loadCluster();
      expect((await a.writeConfig({ ttl: 10, loop_wait: 1 })).kind).toBe('written');
      expect((await heard).type).toBe('put');
      const after = await b.loadCluster({ linearizable: true });
      expect(after.kind === 'loaded' && after.cluster.config?.data).toEqual({ ttl: 10, loop_wait: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('accepts the key inside the cert file (etcd3.cert only)', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const combined = `${tls.clientCertFile}.with-key.pem`;
    writeFileSync(combined, readFileSync(tls.clientCertFile, 'utf8') + readFileSync(tls.clientKeyFile, 'utf8'), { mode: 0o600 });
    const dcs = new Dcs({
      adapter: await createAdapter({ hosts: [...etcd.hosts], protocol: 'https', cacert: tls.caFile, cert: combined }, { scope: 'tls-combined', name: 'a' }),
      timing: TIMING,
    });
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
    } finally {
      await dcs.close();
    }
  });

  it('without the client certificate: start-up fails fast, naming the TLS problem', async () => {
    const started = performance.now();
    const failure = await rejection(createAdapter({ hosts: [...etcd.hosts], protocol: 'https', cacert: tls.caFile }, { scope: 'tls', name: 'c' }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(failure.message).toMatch(/TLS|certificate|SSL/i);
    expect(failure.message).toContain('etcd3.cert');
  });

  it('without the client certificate: calls come back unavailable, naming the TLS problem, within the retry timeout', async () => {
    const dcs = new Dcs({ adapter: unprobedAdapter({ hosts: [...etcd.hosts], protocol: 'https', cacert: tls.caFile }, 'tls', 'c'), timing: TIMING });
    try {
      const started = performance.now();
      const [lock, load] = await Promise.all([dcs.acquireLeader(), dcs.loadCluster()]);
      expect(performance.now() - started).toBeLessThan(TIMING.retryTimeout * 1000 + 2000);
      for (const outcome of [lock, load]) {
        expect(outcome.kind).toBe('unavailable');
        if (outcome.kind !== 'unavailable') continue;
        expect(outcome.cause.message).toMatch(/TLS|certificate|SSL/i);
        expect(outcome.cause.message).toContain('etcd3.cert');
      }
    } finally {
      await dcs.close();
    }
  });

  it('without etcd3.cacert the self-signed server is not trusted, and the error says so', async () => {
    const failure = await rejection(
      createAdapter({ hosts: [...etcd.hosts], protocol: 'https', cert: tls.clientCertFile, key: tls.clientKeyFile }, { scope: 'tls', name: 'd' }),
    );
    expect(failure.message).toMatch(/certificate/i);
    expect(failure.message).toContain('etcd3.cacert');
  });

  it('plain http to the TLS port fails fast instead of hanging', async () => {
    const started = performance.now();
    const failure = await rejection(createAdapter({ hosts: [...etcd.hosts], protocol: 'http' }, { scope: 'tls', name: 'e' }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(failure.transient).toBe(true);
  });
});

describe('etcd with user/password authentication', () => {
  let etcd: EtcdCluster;
  const PASSWORD = 'Secr3t-ETCD-xyz';

  beforeAll(async () => {
    etcd = await startEtcd();
    enableAuth(etcd, PASSWORD);
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('works with etcd3.username and etcd3.password', async () => {
    const dcs = new Dcs({
      adapter: await createAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: PASSWORD }, { scope: 'auth', name: 'a' }),
      timing: TIMING,
    });
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
      expect((await dcs.writeConfig({ ttl: 10 })).kind).toBe('written');
      const loaded = await dcs.loadCluster({ linearizable: true });
      expect(loaded.kind === 'loaded' && loaded.cluster.leader?.name).toBe('a');
    } finally {
      await dcs.close();
    }
  });

  it('refuses a wrong password at start with an error naming etcd3.password, without echoing it', async () => {
    const wrong = 'Wr0ng-ETCD-xyz';
    const failure = await rejection(
      createAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: wrong }, { scope: 'auth', name: 'b' }),
    );
    expect(failure.code).toBe('auth-failed');
    expect(failure.transient).toBe(false);
    expect(failure.message).toMatch(/authentication/i);
    expect(failure.message).toContain('etcd3.password');
    expect(failure.message).not.toContain(wrong);
    expect(failure.message).not.toContain(PASSWORD);
  });

  it('with a wrong password, calls fail with the same clear error', async () => {
    const wrong = 'Wr0ng-ETCD-xyz';
    const dcs = new Dcs({ adapter: unprobedAdapter({ hosts: [...etcd.hosts], protocol: 'http', username: 'root', password: wrong }, 'auth', 'b'), timing: TIMING });
    try {
      const started = performance.now();
      const outcome = await dcs.acquireLeader();
      expect(performance.now() - started).toBeLessThan(TIMING.retryTimeout * 1000 + 2000);
      expect(outcome.kind).toBe('unavailable');
      if (outcome.kind !== 'unavailable') return;
      expect(outcome.cause.code).toBe('auth-failed');
      expect(outcome.cause.message).toContain('etcd3.password');
      expect(outcome.cause.message).not.toContain(wrong);
    } finally {
      await dcs.close();
    }
  });

  it('without credentials, calls fail naming etcd3.username', async () => {
    const failure = await rejection(createAdapter({ hosts: [...etcd.hosts], protocol: 'http' }, { scope: 'auth', name: 'c' }));
    expect(failure.code).toBe('auth-failed');
    expect(failure.message).toContain('etcd3.username');
  });
});
