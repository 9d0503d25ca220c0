import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import type { RoleCredentials } from '../../src/index.js';
import { makeNode, sql, SUPERUSER, waitFor, type Node } from './helpers.js';

const DYNAMIC = { shared_buffers: '16MB' };
const KEY_PASSWORD = 'key-secret-3';

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl is not installed: apt-get install -y openssl');
    throw new Error(`openssl ${args.join(' ')}: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** A CA, a server certificate for 127.0.0.1, and client certificates whose CN is the role name. */
function makeCertificates(sandbox: PostgresSandbox): string {
  const dir = sandbox.mkdir('tls', 0o755);
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pgwarden-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', 'server.crt']);
  for (const role of ['replicator', 'rewinder']) {
    // The replication user's key is encrypted: its sslpassword must reach every client.
    const keyArgs = role === 'replicator' ? ['-passout', `pass:${KEY_PASSWORD}`] : ['-nodes'];
    openssl(dir, ['req', '-newkey', 'rsa:2048', ...keyArgs, '-subj', `/CN=${role}`, '-keyout', `${role}.key`, '-out', `${role}.csr`]);
    openssl(dir, ['x509', '-req', '-in', `${role}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${role}.crt`]);
  }
  for (const f of ['ca.crt', 'server.crt', 'server.key', 'replicator.crt', 'replicator.key', 'rewinder.crt', 'rewinder.key']) {
    const path = join(dir, f);
    chmodSync(path, f.endsWith('.key') ? 0o600 : 0o644);
    sandbox.chownToPostgres(path);
  }
  return dir;
}

/**
 * Issue 20: the roles' libpq settings (sslmode, sslcert, sslkey, sslpassword,
 * sslrootcert) reach pg_basebackup, the WAL receiver, pg_rewind and the controller's own
 * sessions to the leader. The servers accept replication and the rewind user only over
 * TLS with a client certificate, so a dropped setting fails the test.
 */
describe('LocalPostgresController: client TLS settings of each role on PostgreSQL 15', () => {
  let sandbox: PostgresSandbox;
  let tls: string;
  let a: Node;
  let b: Node;
  let replication: RoleCredentials;
  let rewind: RoleCredentials;
  const others: Node[] = [];

  /** A node whose server runs with ssl = on and accepts replication and the rewind user only with a client certificate. */
  async function node(name: string, repl: RoleCredentials = replication): Promise<Node> {
    return makeNode(sandbox, name, DYNAMIC, {
      parameters: {
        // makeNode's socket directory (mkdir is idempotent).
        unix_socket_directories: sandbox.mkdir(`sock-${name}`, 0o755),
        fsync: 'off',
        ssl: 'on',
        ssl_cert_file: join(tls, 'server.crt'),
        ssl_key_file: join(tls, 'server.key'),
        ssl_ca_file: join(tls, 'ca.crt'),
      },
      pg_hba: [
        'local all all trust',
        // No plain TCP line at all: replication and rewind only over TLS with a client certificate.
        'hostssl replication replicator 127.0.0.1/32 cert',
        'hostssl all rewinder 127.0.0.1/32 cert',
      ],
      authentication: { superuser: SUPERUSER, replication: repl, rewind },
    });
  }

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-tls-' });
    tls = makeCertificates(sandbox);
    replication = {
      username: 'replicator',
      sslmode: 'verify-ca',
      sslrootcert: join(tls, 'ca.crt'),
      sslcert: join(tls, 'replicator.crt'),
      sslkey: join(tls, 'replicator.key'),
      sslpassword: KEY_PASSWORD,
    };
    rewind = { username: 'rewinder', sslmode: 'verify-full', sslrootcert: join(tls, 'ca.crt'), sslcert: join(tls, 'rewinder.crt'), sslkey: join(tls, 'rewinder.key') };
    a = await node('node-a');
    b = await node('node-b');
  });

  afterAll(async () => {
    for (const n of [a, b, ...others]) {
      await n?.controller.stop('immediate', { timeoutMs: 10_000 });
      await n?.controller.close();
    }
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('bootstraps a primary with ssl = on', async () => {
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    const [row] = await sql<{ ssl: string }>(a, 'SHOW ssl');
    expect(row!.ssl).toBe('on');
    await sql(a, 'CREATE TABLE t (id int PRIMARY KEY)');
    await sql(a, 'INSERT INTO t SELECT generate_series(1, 100)');
  });

  it('refuses to clone when the replication user has no client certificate configured', async () => {
    const { sslcert: _c, sslkey: _k, sslpassword: _p, ...noCert } = replication;
    const c = await node('node-c', noCert);
    others.push(c);
    const r = await c.controller.clone({ upstream: { name: a.name, connUrl: a.connUrl } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/certificate/);
  });

  it('names the key when a certificate file is not readable by the Postgres user', async () => {
    const hidden = join(sandbox.root, 'root-only.crt');
    writeFileSync(hidden, readFileSync(join(tls, 'replicator.crt')), { mode: 0o600 });
    // As root the file stays root's (0600): the postgres user cannot read it. Otherwise it does not exist.
    const path = sandbox.runAs ? hidden : join(sandbox.root, 'missing.crt');
    const d = await node('node-d', { ...replication, sslcert: path });
    others.push(d);
    const r = await d.controller.clone({ upstream: { name: a.name, connUrl: a.connUrl } });
    expect(r).toMatchObject({ ok: false, code: 'invalid-config' });
    if (!r.ok) expect(r.message).toContain('postgresql.authentication.replication.sslcert');
  });

  it('clones with pg_basebackup and streams over TLS with the replication user’s client certificate', async () => {
    expect(await a.controller.syncSlots({ desired: [{ name: 'node_b', type: 'physical' }], dropUndesired: false })).toMatchObject({ ok: true });
    expect(await b.controller.clone({ upstream: { name: a.name, connUrl: a.connUrl } })).toEqual({ ok: true, value: { method: 'basebackup' } });
    expect(await b.controller.follow({ upstream: { name: a.name, connUrl: a.connUrl } })).toEqual({ ok: true, value: 'started' });
    const walsender = await waitFor('node-b streaming over TLS', async () => {
      const rows = await sql<{ ssl: boolean; client_dn: string | null }>(
        a,
        `SELECT s.ssl, s.client_dn FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
          WHERE r.application_name = 'node-b' AND r.state = 'streaming'`,
      );
      return rows[0];
    });
    expect(walsender).toEqual({ ssl: true, client_dn: '/CN=replicator' });
    const [conninfo] = await sql<{ primary_conninfo: string }>(b, 'SHOW primary_conninfo');
    expect(conninfo!.primary_conninfo).toContain('sslmode=verify-ca');
    expect(conninfo!.primary_conninfo).not.toContain('sslmode=prefer');
    expect(conninfo!.primary_conninfo).toContain(`sslcert=${join(tls, 'replicator.crt')}`);
    // The divergence check uses the same settings over its replication connection.
    const d = await b.controller.checkDivergence({ name: a.name, connUrl: a.connUrl });
    if (!d.ok) throw new Error(d.message);
    expect(d.value.needed).toBe(false);
  });

  it('rewinds the old primary with the rewind user’s settings after a promotion, and it streams again over TLS', async () => {
    expect(await b.controller.promote()).toEqual({ ok: true });
    await sql(a, 'INSERT INTO t VALUES (9999)');
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    const leader = { name: b.name, connUrl: b.connUrl, checkpointedAfterPromote: true };
    const verdict = await a.controller.checkDivergence(leader);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.value.needed).toBe(true);
    // The rewind user is no superuser: the source must have checkpointed since the promotion.
    await sql(b, 'CHECKPOINT');
    expect(await b.controller.syncSlots({ desired: [{ name: 'node_a', type: 'physical' }], dropUndesired: false })).toMatchObject({ ok: true });
    expect(await a.controller.rewind(leader)).toEqual({ ok: true, value: 'rewound' });
    expect(await a.controller.follow({ upstream: leader })).toEqual({ ok: true, value: 'started' });
    await waitFor('node-a streaming from node-b over TLS', async () => {
      const rows = await sql<{ ssl: boolean }>(
        b,
        `SELECT s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.application_name = 'node-a' AND r.state = 'streaming'`,
      );
      return rows[0]?.ssl === true;
    });
    expect(await sql(a, 'SELECT * FROM t WHERE id = 9999')).toEqual([]);
  });
});
