/**
 * Redis over TLS with client certificates (redis-server --tls-auth-clients yes): the
 * adapter works with cacert/cert/key, and without the CA or the client certificate it
 * fails at start with an error that says which key to set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DcsError, systemClock, type DcsCallContext, type DcsWatchEvent } from '@pgwarden/core';
import { waitFor } from '@pgwarden/core/testing';
import { freePort, makeEtcdCertificates, startRedis, type RedisServer } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisSection } from '../src/index.js';
import { createAdapter } from './support/redis-target.js';

function ctx(ms = 3000): DcsCallContext {
  return { signal: AbortSignal.timeout(ms), deadline: systemClock.now() + ms };
}

async function createError(promise: Promise<unknown>): Promise<DcsError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DcsError);
  return error as DcsError;
}

let dir: string;
let server: RedisServer;
let tlsPort: number;
let files: ReturnType<typeof makeEtcdCertificates>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgwarden-redis-tls-'));
  files = makeEtcdCertificates(dir); // a CA, a server certificate for 127.0.0.1, a client certificate
  tlsPort = await freePort();
  server = await startRedis({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', files.serverCertFile, '--tls-key-file', files.serverKeyFile, '--tls-ca-cert-file', files.caFile, '--tls-auth-clients', 'yes'],
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function section(tls: RedisSection['tls']): RedisSection {
  return { topology: { kind: 'standalone', host: { host: '127.0.0.1', port: tlsPort } }, db: 0, ...(tls && { tls }) };
}

it('works over TLS with the CA and a client certificate, watch included', async () => {
  const tls = { cacert: files.caFile, cert: files.clientCertFile, key: files.clientKeyFile, verify: true };
  const a = await createAdapter(section(tls), { scope: 'tls', name: 'a' });
  const b = await createAdapter(section(tls), { scope: 'tls', name: 'b' });
  try {
    const events: DcsWatchEvent[] = [];
    b.watch((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.write('config', '{"ttl":30}', { kind: 'any' }, ctx())).toMatchObject({ kind: 'written' });
    expect(await b.read(ctx(), { linearizable: true })).toMatchObject({ kind: 'snapshot', entries: [{ key: 'config', value: '{"ttl":30}' }] });
    await waitFor('the config event over TLS', async () => events.find((e) => e.key === 'config'), 5000, 20);
  } finally {
    await a.close();
    await b.close();
  }
});

it("refuses a server whose CA is not given, naming redis.cacert", async () => {
  const error = await createError(createAdapter(section({ cert: files.clientCertFile, key: files.clientKeyFile, verify: true }), { name: 'a' }));
  expect(error.message).toContain('redis.cacert');
  expect(error.transient).toBe(false);
});

it('fails without a client certificate when the server requires one', async () => {
  const error = await createError(createAdapter(section({ cacert: files.caFile, verify: true }), { name: 'a' }));
  expect(error.message).toContain(`127.0.0.1:${tlsPort}`);
  expect(error.message).toContain('set redis.cert and redis.key');
});
