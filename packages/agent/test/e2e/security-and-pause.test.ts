/**
 * Issue #5's remaining end-to-end proofs, agents as separate processes on real etcd and
 * PostgreSQL 15. One two-node cluster with `restapi.authentication` serves:
 * `--validate-config` vs a normal start (loopback connect_address), `OPTIONS /primary`,
 * 401 on an unauthenticated `POST /switchover`, and pause (a killed primary postmaster
 * triggers no failover). A one-node cluster proves `verify_client: required`.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { killPostmasterSync, lookupOsUser } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../api/tls-certs.js';
import { patroni } from './api.js';
import { AGENT_BIN, E2eCluster, psql, SCOPE, sleep, waitFor, type AgentNode } from './cluster.js';
import { addToRestapi, etcdGet, send } from './requests.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const TTL_S = 20;
const ADMIN = { username: 'admin', password: 'e2e-admin-pass' };

describe('pgwarden e2e: validate-config, OPTIONS /primary, auth, pause', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let replica: AgentNode;
  let validated: { status: number | null; lines: string[] };

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'security-and-pause', nodes: 2 });
    for (const n of cluster.nodes) addToRestapi(n, ['  authentication:', `    username: ${ADMIN.username}`, `    password: ${ADMIN.password}`]);
    // Before the start, while the listen ports are still free: the full schema's verdict on
    // the very file the agent then starts with.
    const r = spawnSync(process.execPath, [AGENT_BIN, '--validate-config', cluster.nodes[0]!.configPath], { encoding: 'utf8', timeout: 30_000 });
    validated = { status: r.status, lines: r.stderr.split('\n').filter((l) => l.trim() !== '') };
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster);
    replica = cluster.nodes.find((n) => n !== primary)!;
    await waitForStreaming(cluster, primary, [replica]);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('--validate-config reports the loopback connect_address; a normal start accepts it', () => {
    const out = validated.lines.join('\n');
    expect(validated.status, out).toBe(1);
    expect(out).toMatch(/^restapi\.connect_address\b.*127\.0\.0\.1.*must not contain/m);
    expect(out).toMatch(/^postgresql\.connect_address\b.*127\.0\.0\.1.*must not contain/m);
    expect(out).not.toMatch(/^\s+at /m);
    // The same files started: a streaming two-node cluster on 127.0.0.1 (beforeAll).
    expect(psql(replica, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
  });

  it('OPTIONS /primary returns 200 on the primary only', async () => {
    const [onPrimary, onReplica] = await Promise.all([send(`${primary.apiUrl}/primary`, { method: 'OPTIONS' }), send(`${replica.apiUrl}/primary`, { method: 'OPTIONS' })]);
    expect(onPrimary.status).toBe(200);
    expect(onReplica.status).toBe(503);
  });

  it('an unauthenticated POST /switchover is refused with 401 and nothing switches', async () => {
    const body = { leader: primary.name, candidate: replica.name };
    const none = await send(`${primary.apiUrl}/switchover`, { method: 'POST', body });
    expect(none.status).toBe(401);
    expect(none.text).toBe('no auth header received');
    expect(none.headers['www-authenticate']).toBe('Basic realm="Patroni"');
    const wrong = await send(`${primary.apiUrl}/switchover`, { method: 'POST', body, auth: { ...ADMIN, password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe('not authenticated');
    expect(await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/failover`)).toBeNull();
    expect((await patroni(primary))?.role).toBe('primary');
  });

  it('paused, a SIGKILLed primary postmaster triggers no failover; after resume the replica takes over', async () => {
    const url = `${replica.apiUrl}/config`;
    expect((await send(url, { method: 'PATCH', body: { pause: true } })).status).toBe(401);
    const paused = await send(url, { method: 'PATCH', body: { pause: true }, auth: ADMIN });
    expect(paused.status, paused.text).toBe(200);
    for (const n of cluster.nodes) await waitFor(`${n.name} paused`, async () => (await patroni(n))?.pause === true, 15_000);

    expect(killPostmasterSync(primary.dataDir)).toBe(true);
    // Watch for longer than the lock could survive without renewal. As in Patroni (spec
    // ha.md §1.7) the paused ex-primary deletes its own lock once it sees Postgres down;
    // the point is that nobody else takes it.
    const until = Date.now() + (TTL_S + 5) * 1000;
    while (Date.now() < until) {
      expect([primary.name, null], tails(cluster)).toContain(await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`));
      const s = await patroni(replica);
      expect(s?.role, tails(cluster)).toBe('replica');
      expect(psql(replica, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
      await sleep(1000);
    }
    // Nor did the agent restart its Postgres on its own.
    expect((await patroni(primary))?.state, tails(cluster)).not.toBe('running');
    expect(await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`)).toBeNull();
    expect(primary.output).toMatch(/PAUSE: removed leader lock because postgres is not running/);

    const resumed = await send(url, { method: 'PATCH', body: { pause: false }, auth: ADMIN });
    expect(resumed.status, resumed.text).toBe(200);
    // Resumed, the leader race is open again and the only running Postgres wins it.
    const next = await waitForPrimary(cluster, [replica], 60_000);
    psql(next, 'CREATE TABLE e2e_after_resume(id int)');
    // The crashed ex-primary comes back as a replica of the new primary — through a
    // rewind if its WAL forked — streaming on the new timeline, without a demotion loop
    // (it once demoted itself hundreds of times a minute while its replica start ran).
    await waitForStreaming(cluster, next, [primary], 90_000);
    expect(psql(primary, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
    expect(primary.output.match(/Demoting self/g)?.length ?? 0, tails(cluster)).toBeLessThan(5);
  });
});

describe('pgwarden e2e: restapi TLS with verify_client: required', () => {
  let cluster: E2eCluster;
  let node: AgentNode;
  let certs: TestCerts;
  let url: string;

  beforeAll(async () => {
    certs = makeTestCerts();
    // The agent runs as `postgres` when we are root: it must read the key and certificates.
    const owner = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
    if (owner) for (const f of ['', ...readdirSync(certs.dir)]) chownSync(join(certs.dir, f), owner.uid, owner.gid);
    cluster = await E2eCluster.create({ label: 'security-tls', nodes: 1 });
    node = cluster.nodes[0]!;
    addToRestapi(node, [`  certfile: ${certs.serverCert}`, `  keyfile: ${certs.serverKey}`, `  cafile: ${certs.caFile}`, '  verify_client: required']);
    url = `https://127.0.0.1:${node.apiPort}/patroni`;
    cluster.start(node);
    await waitFor(
      'the TLS-only node running as primary',
      async () => {
        const r = await send(url, { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }, timeoutMs: 2000 });
        const s = JSON.parse(r.text) as { role?: string; state?: string };
        return r.status === 200 && s.role === 'primary' && s.state === 'running';
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
  });

  afterAll(async () => {
    try {
      await cluster?.close();
    } finally {
      certs?.cleanup();
    }
  });

  it('a client with the client certificate is served', async () => {
    const r = await send(url, { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ role: 'primary', state: 'running' });
  });

  it('a client without a certificate fails the TLS handshake', async () => {
    // TLS 1.2: the server's alert arrives inside the handshake, before 'secureConnect'.
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: node.apiPort, ca: certs.ca, maxVersion: 'TLSv1.2' });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('handshake completed');
      });
      socket.once('error', (e) => resolve(`error: ${e.message}`));
    });
    expect(outcome).toMatch(/^error: .*(handshake failure|certificate)/i);
    // Default (TLS 1.3) client: no HTTP reply at all.
    await expect(send(url, { tls: { ca: certs.ca } })).rejects.toThrow(/certificate|socket hang up|ECONNRESET/i);
  });
});
