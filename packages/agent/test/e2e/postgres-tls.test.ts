/**
 * PostgreSQL client TLS end to end: three agents whose servers run with `ssl = on` and
 * whose pg_hba accepts the replication user and the rewind user over TCP only through
 * `hostssl … cert` (a client certificate signed by the test's CA, CN = role name). The
 * roles' `sslmode: verify-ca`, `sslcert`, `sslkey`, `sslrootcert` must therefore reach
 * pg_basebackup, every WAL receiver's primary_conninfo and pg_rewind: a dropped setting
 * and the clone, the stream or the rewind is refused. Proved: bootstrap, both replicas
 * stream with ssl in pg_stat_ssl, a lost primary host fails over, and the old node
 * rejoins through pg_rewind and streams again over TLS.
 */
import { join } from 'node:path';
import { lookupOsUser } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patroni } from './api.js';
import { E2eCluster, psql, REPLICATION, waitFor, type AgentNode } from './cluster.js';
import { editNodeConfig } from './node-config.js';
import { makePgTlsFiles, type PgTlsFiles } from './pg-tls-certs.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const TTL_S = 20;
const REWIND_USER = 'rewinder';

/** Every walsender of `replicas` streaming from `primary`, with its TLS state. */
function walsenders(primary: AgentNode): { name: string; ssl: string; dn: string }[] {
  return psql(
    primary,
    `SELECT r.application_name, s.ssl, coalesce(s.client_dn, '') FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
      WHERE r.state = 'streaming' ORDER BY 1`,
  ).map((l) => {
    const [name, ssl, dn] = l.split('\t');
    return { name: name!, ssl: ssl!, dn: dn! };
  });
}

describe('pgwarden e2e: replication and pg_rewind only over TLS with client certificates', () => {
  let cluster: E2eCluster;
  let tls: PgTlsFiles;
  let oldPrimary: AgentNode;
  let newPrimary: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'postgres-tls', nodes: 3 });
    const owner = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
    tls = makePgTlsFiles(join(cluster.root, 'tls'), [REPLICATION.username, REWIND_USER], owner);
    const hba = [
      'local all all trust',
      // The harness's own psql (superuser, password over TCP); nothing else gets in without TLS.
      'host all postgres 127.0.0.1/32 md5',
      `hostssl replication ${REPLICATION.username} 127.0.0.1/32 cert`,
      `hostssl all ${REWIND_USER} 127.0.0.1/32 cert`,
    ];
    const client = (role: string): Record<string, string> => ({
      sslmode: 'verify-ca',
      sslrootcert: tls.ca,
      sslcert: tls.client[role]!.cert,
      sslkey: tls.client[role]!.key,
    });
    for (const n of cluster.nodes) {
      editNodeConfig(n, (doc) => {
        doc.bootstrap.pg_hba = hba;
        doc.postgresql.pg_hba = hba;
        Object.assign(doc.postgresql.parameters, { ssl: 'on', ssl_cert_file: tls.serverCert, ssl_key_file: tls.serverKey, ssl_ca_file: tls.ca });
        // No password for either role: only the certificate can authenticate them.
        doc.postgresql.authentication.replication = { username: REPLICATION.username, ...client(REPLICATION.username) };
        doc.postgresql.authentication.rewind = { username: REWIND_USER, ...client(REWIND_USER) };
      });
    }
    for (const n of cluster.nodes) cluster.start(n);
    oldPrimary = await waitForPrimary(cluster);
    await waitForStreaming(cluster, oldPrimary, cluster.nodes.filter((n) => n !== oldPrimary));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('bootstraps with ssl = on; both replicas stream over TLS as the certificate’s replication user', async () => {
    expect(psql(oldPrimary, 'SHOW ssl')).toEqual(['on']);
    // The replication user has no password: only the certificate can have let it in.
    expect(psql(oldPrimary, `SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = '${REPLICATION.username}'`)).toEqual(['t']);
    const replicas = cluster.nodes.filter((n) => n !== oldPrimary);
    const rows = walsenders(oldPrimary);
    console.log(`pg_stat_ssl on ${oldPrimary.name}: ${JSON.stringify(rows)}`);
    expect(rows).toEqual(replicas.map((r) => ({ name: r.name, ssl: 't', dn: `/CN=${REPLICATION.username}` })));
    for (const r of replicas) {
      const [conninfo] = psql(r, 'SHOW primary_conninfo');
      expect(conninfo).toContain('sslmode=verify-ca');
      expect(conninfo).toContain(`sslcert=${tls.client[REPLICATION.username]!.cert}`);
    }
    psql(oldPrimary, 'CREATE TABLE e2e_tls(id int primary key, origin text)');
    psql(oldPrimary, "INSERT INTO e2e_tls SELECT g, 'before' FROM generate_series(1, 100) g");
    for (const r of replicas) await waitFor(`rows on ${r.name}`, () => psql(r, 'SELECT count(*) FROM e2e_tls')[0] === '100', 30_000);
  });

  it('a lost primary host fails over to a replica', async () => {
    const replicas = cluster.nodes.filter((n) => n !== oldPrimary);
    // Freeze the WAL senders and commit locally: the old primary's timeline diverges, so
    // its rejoin needs pg_rewind.
    const senders = psql(oldPrimary, 'SELECT pid FROM pg_stat_replication').map(Number);
    expect(senders).toHaveLength(2);
    for (const pid of senders) process.kill(pid, 'SIGSTOP');
    psql(oldPrimary, "SET synchronous_commit = local; INSERT INTO e2e_tls SELECT g, 'divergent' FROM generate_series(1001, 1010) g");
    const killedAt = Date.now();
    await cluster.killHost(oldPrimary);
    for (const pid of senders) process.kill(pid, 'SIGKILL');
    newPrimary = await waitForPrimary(cluster, replicas, (TTL_S + 20) * 1000);
    console.log(`failover to ${newPrimary.name} after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    expect(psql(newPrimary, 'SELECT count(*) FROM e2e_tls')).toEqual(['100']);
    psql(newPrimary, "INSERT INTO e2e_tls SELECT g, 'after' FROM generate_series(101, 150) g");
    const other = replicas.find((n) => n !== newPrimary)!;
    await waitForStreaming(cluster, newPrimary, [other]);
  });

  it('the old primary rejoins through pg_rewind over TLS and streams again with ssl', async () => {
    const startedAt = Date.now();
    cluster.start(oldPrimary);
    const replicas = cluster.nodes.filter((n) => n !== newPrimary);
    await waitForStreaming(cluster, newPrimary, replicas, 60_000);
    await waitFor('the rejoined node caught up', () => psql(oldPrimary, 'SELECT count(*) FROM e2e_tls')[0] === '150', 30_000);
    console.log(`${oldPrimary.name} streaming again after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    expect(psql(oldPrimary, "SELECT count(*) FROM e2e_tls WHERE origin = 'divergent'")).toEqual(['0']);
    expect(psql(oldPrimary, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
    const [mine, theirs] = await Promise.all([patroni(oldPrimary), patroni(newPrimary)]);
    expect(mine?.timeline).toBe(theirs?.timeline);
    // The divergent rows are gone because the node was rewound from the new primary, not re-cloned.
    expect(oldPrimary.output, tails(cluster)).toContain(`running pg_rewind from ${newPrimary.name}`);
    expect(oldPrimary.output).not.toMatch(/trying to bootstrap from leader/);
    const rows = walsenders(newPrimary);
    console.log(`pg_stat_ssl on ${newPrimary.name}: ${JSON.stringify(rows)}`);
    expect(rows).toEqual(replicas.map((r) => ({ name: r.name, ssl: 't', dn: `/CN=${REPLICATION.username}` })).sort((a, b) => a.name.localeCompare(b.name)));
  });
});
