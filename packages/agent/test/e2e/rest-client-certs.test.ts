/**
 * The agents' calls to each other over a REST API that demands client certificates
 * (`restapi.certfile/keyfile/cafile`, `verify_client: required`): `ctl.certfile`,
 * `ctl.keyfile` and `ctl.cacert` must reach the peer client (daemon/peers.ts), or every
 * peer looks unreachable. Two consequences are proved on three real agents:
 *  - leader race: with one replica's WAL receiver frozen (its received position behind
 *    the other's), a lost primary host is replaced by the advanced replica. The advanced
 *    agent is frozen around the moment the leader key expires, so the lagging agent
 *    races first: only by reading the advanced peer's /patroni (mutual TLS) does it
 *    stand down. Without peer certificates it would see nobody and take the lock.
 *  - switchover: POST /switchover (the test's client certificate) checks the candidate's
 *    /patroni over mutual TLS; without peer certificates there is no healthy candidate.
 */
import { chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lookupOsUser } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../api/tls-certs.js';
import { E2eCluster, psql, SCOPE, waitFor, type AgentNode } from './cluster.js';
import { addToRestapi, etcdGet, send } from './requests.js';
import { tails } from './wait.js';

const TTL_S = 20;
const LEADER_KEY = `/service/${SCOPE}/leader`;

type Status = Record<string, unknown> & { role?: string; state?: string; replication_state?: string; timeline?: number; xlog?: { received_location?: number; replayed_location?: number } };

describe('pgwarden e2e: agents call each other with client certificates (verify_client: required)', () => {
  let cluster: E2eCluster;
  let certs: TestCerts;
  let primary: AgentNode;
  let advanced: AgentNode;
  let lagging: AgentNode;
  let frozenReceiver = 0;

  const tlsOpts = (): { ca: Buffer; cert: Buffer; key: Buffer } => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
  const url = (n: AgentNode, path: string): string => `https://127.0.0.1:${n.apiPort}/${path}`;

  /** GET /patroni over mutual TLS; null when the agent does not answer. */
  async function status(n: AgentNode): Promise<Status | null> {
    try {
      const r = await send(url(n, 'patroni'), { tls: tlsOpts(), timeoutMs: 2000 });
      return r.status === 200 || r.status === 503 ? (JSON.parse(r.text) as Status) : null;
    } catch {
      return null;
    }
  }

  async function waitForPrimary(among: readonly AgentNode[], timeoutMs: number): Promise<AgentNode> {
    return waitFor(
      'a writable primary',
      async () => {
        for (const n of among) {
          const s = await status(n);
          if (s?.role === 'primary' && s.state === 'running' && psql(n, 'SELECT pg_is_in_recovery()')[0] === 'f') return n;
        }
        return null;
      },
      timeoutMs,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
  }

  async function waitForStreaming(from: AgentNode, replicas: readonly AgentNode[], timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${replicas.map((r) => r.name).join(', ')} streaming from ${from.name}`,
      async () => {
        for (const r of replicas) {
          const s = await status(r);
          if (s?.state !== 'running' || s.replication_state !== 'streaming') return false;
        }
        const rows = psql(from, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
        return replicas.every((r) => rows.includes(r.name));
      },
      timeoutMs,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
  }

  /** POST /v3/… on etcd's JSON gateway. */
  async function etcd(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`http://${cluster.etcd.hosts[0]}/v3/${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** The leader key's lease ID, or null once the key is gone. */
  async function leaderLease(): Promise<string | null> {
    const r = (await etcd('kv/range', { key: Buffer.from(LEADER_KEY).toString('base64') })) as { kvs?: { lease?: string }[] };
    return r.kvs?.[0] ? (r.kvs[0].lease ?? '0') : null;
  }

  beforeAll(async () => {
    certs = makeTestCerts();
    // The agents run as `postgres` when we are root: they must read the keys and certificates.
    const owner = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
    if (owner) for (const f of ['', ...readdirSync(certs.dir)]) chownSync(join(certs.dir, f), owner.uid, owner.gid);
    cluster = await E2eCluster.create({
      label: 'rest-client-certs',
      nodes: 3,
      // The agents' own client side: the client certificate and the CA for the peers' servers.
      extraYaml: `ctl:\n  certfile: ${join(certs.dir, 'client.crt')}\n  keyfile: ${join(certs.dir, 'client.key')}\n  cacert: ${certs.caFile}\n`,
    });
    for (const n of cluster.nodes) addToRestapi(n, [`  certfile: ${certs.serverCert}`, `  keyfile: ${certs.serverKey}`, `  cafile: ${certs.caFile}`, '  verify_client: required']);
    for (const n of cluster.nodes) cluster.start(n);
    primary = await waitForPrimary(cluster.nodes, 90_000);
    await waitForStreaming(primary, cluster.nodes.filter((n) => n !== primary));
    psql(primary, 'CREATE TABLE e2e_certs(id int primary key)');
    psql(primary, 'INSERT INTO e2e_certs SELECT generate_series(1, 100)');
    [lagging, advanced] = cluster.nodes.filter((n) => n !== primary) as [AgentNode, AgentNode];
    for (const r of [lagging, advanced]) await waitFor(`rows on ${r.name}`, () => psql(r, 'SELECT count(*) FROM e2e_certs')[0] === '100', 30_000);
  });

  afterAll(async () => {
    try {
      if (frozenReceiver) process.kill(frozenReceiver, 'SIGCONT');
    } catch {
      /* gone */
    }
    try {
      await cluster?.close();
    } finally {
      certs?.cleanup();
    }
  });

  it('the REST API refuses a client without a certificate; the agents registered https api_urls', async () => {
    await expect(send(url(primary, 'patroni'), { tls: { ca: certs.ca } })).rejects.toThrow(/certificate|socket hang up|ECONNRESET|handshake/i);
    const s = await status(primary);
    expect(s?.role).toBe('primary');
  });

  it('a lost primary host is replaced by the most advanced replica, which the lagging one reads over mutual TLS', async () => {
    // Freeze the lagging replica's WAL receiver, then write: only the other replica receives it.
    frozenReceiver = Number(psql(lagging, 'SELECT pid FROM pg_stat_wal_receiver')[0]);
    expect(frozenReceiver).toBeGreaterThan(0);
    process.kill(frozenReceiver, 'SIGSTOP');
    // Far below maximum_lag_on_failover (1 MB): lag alone does not disqualify the lagging node.
    psql(primary, 'INSERT INTO e2e_certs SELECT generate_series(101, 600)');
    await waitFor(`rows on ${advanced.name}`, () => psql(advanced, 'SELECT count(*) FROM e2e_certs')[0] === '600', 30_000);
    const positions = await waitFor(
      'both replicas reporting their positions, the advanced one ahead',
      async () => {
        const [a, l] = await Promise.all([status(advanced), status(lagging)]);
        const pos = (s: Status | null): number => Math.max(s?.xlog?.received_location ?? 0, s?.xlog?.replayed_location ?? 0);
        return pos(a) > pos(l) && pos(l) > 0 ? { advanced: pos(a), lagging: pos(l) } : null;
      },
      15_000,
    );
    console.log(`WAL positions before the kill: ${advanced.name} ${positions.advanced}, ${lagging.name} ${positions.lagging} (${positions.advanced - positions.lagging} bytes behind)`);

    const killedAt = Date.now();
    await cluster.killHost(primary);
    // Freeze the advanced agent around the leader key's expiry, so the lagging agent
    // runs its leader race first; thaw it right after the key is gone, well inside the
    // lagging agent's 2 s budget for GET /patroni on its peers.
    const lease = await leaderLease();
    expect(lease).not.toBeNull();
    await waitFor(
      'the leader lease within 2 s of expiring',
      async () => {
        const r = (await etcd('lease/timetolive', { ID: lease })) as { TTL?: string };
        return Number(r.TTL ?? '-1') <= 2;
      },
      (TTL_S + 5) * 1000,
      100,
    );
    const agentPid = advanced.process!.pid!;
    process.kill(agentPid, 'SIGSTOP');
    let frozenMs = 0;
    try {
      const frozenAt = Date.now();
      await waitFor('the leader key gone', async () => (await leaderLease()) === null, 10_000, 25);
      frozenMs = Date.now() - frozenAt;
    } finally {
      process.kill(agentPid, 'SIGCONT');
    }

    // Whoever took the leader key (a lagging winner's promotion would hang on its frozen receiver).
    const holder = await waitFor('a new leader key', () => etcdGet(cluster.etcd.hosts, LEADER_KEY), 30_000, 100);
    expect(holder, tails(cluster)).toBe(advanced.name);
    const winner = await waitForPrimary([lagging, advanced], 30_000);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`failover after ${seconds.toFixed(1)} s: winner ${winner.name} (advanced ${advanced.name}, lagging ${lagging.name}); advanced agent frozen ${frozenMs} ms`);
    expect(winner.name, tails(cluster)).toBe(advanced.name);
    expect(psql(winner, 'SELECT count(*) FROM e2e_certs')).toEqual(['600']);
    // The lagging agent did race (its peer was frozen), and stood down: it could only have
    // learnt that it is not the healthiest from its advanced peer's /patroni (its lag is far
    // below maximum_lag_on_failover, and nobody else is alive).
    expect(lagging.output, tails(cluster)).toContain('following a different leader because i am not the healthiest node');
    expect(lagging.output).not.toMatch(/promoted self to leader/);

    // Thaw the receiver: the lagging replica follows the new primary and catches up.
    process.kill(frozenReceiver, 'SIGCONT');
    frozenReceiver = 0;
    await waitForStreaming(advanced, [lagging]);
    await waitFor(`rows on ${lagging.name}`, () => psql(lagging, 'SELECT count(*) FROM e2e_certs')[0] === '600', 30_000);
  });

  it('POST /switchover (client certificate) to the other replica succeeds: the candidate check reads its /patroni over mutual TLS', async () => {
    const body = { leader: advanced.name, candidate: lagging.name };
    const startedAt = Date.now();
    const reply = await send(url(advanced, 'switchover'), { method: 'POST', body, tls: tlsOpts(), timeoutMs: 60_000 });
    expect(reply.status, `${reply.text}\n${tails(cluster)}`).toBe(200);
    expect(reply.text).toBe(`Successfully switched over to "${lagging.name}"`);
    const next = await waitForPrimary([lagging], 30_000);
    psql(next, 'INSERT INTO e2e_certs VALUES (601)');
    await waitForStreaming(next, [advanced]);
    await waitFor(`the old primary has the new row`, () => psql(advanced, 'SELECT count(*) FROM e2e_certs')[0] === '601', 30_000);
    console.log(`switchover to ${lagging.name} done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  });
});
