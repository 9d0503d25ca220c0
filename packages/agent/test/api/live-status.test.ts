/**
 * `GET /patroni` runs the monitoring query on each call (Patroni's get_postgresql_status):
 * peers read `xlog` during a leader race and must see the position now, not as of the
 * last loop cycle. Health paths keep answering from the loop's state. One query serves
 * concurrent requests; a Postgres that does not answer within 2 s leaves the loop's state
 * to answer; a query that fails reports `unknown` without `xlog`, as Patroni does.
 * Real PostgreSQL 15; the HA loop is not started, so its observation stays put.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PostgresSandbox } from '@pgwarden/testkit';
import { call, startPgNode, waitFor, type PgNode } from './pg-node.js';

interface Doc {
  state: string;
  role: string;
  xlog?: { location?: number };
  tags?: Record<string, unknown>;
}

describe('GET /patroni live status', () => {
  let sandbox: PostgresSandbox;
  let node: PgNode;
  let replica: PgNode | undefined;
  let loopLsn: number;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-live-' });
    node = await startPgNode(sandbox, 'live1');
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    // What a loop cycle would have recorded.
    expect((await node.controller.observe()).ok).toBe(true);
    loopLsn = node.controller.lastObservation!.walPosition;
  });

  afterAll(async () => {
    await replica?.close();
    await node?.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('shows a write made after the last loop observation; health paths still show the loop state', async () => {
    await node.sql('CREATE TABLE written_after_the_cycle AS SELECT g FROM generate_series(1, 5000) g');
    const [now] = await node.sql<{ lsn: number }>("SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::float8 AS lsn");
    expect(now!.lsn).toBeGreaterThan(loopLsn);

    const live = await call(node, 'GET', '/patroni');
    expect(live.status).toBe(200);
    const doc = live.json as Doc;
    expect(doc).toMatchObject({ state: 'running', role: 'primary' });
    expect(doc.xlog!.location).toBeGreaterThanOrEqual(now!.lsn);

    // A health path answers from the loop's observation, which the live query left alone.
    const health = await call(node, 'GET', '/read-write');
    expect((health.json as Doc).xlog!.location).toBe(loopLsn);
    expect(node.controller.lastObservation!.walPosition).toBe(loopLsn);
  });

  it('a replica shows received and replayed positions of WAL written after its last loop observation', async () => {
    replica = await startPgNode(sandbox, 'live2');
    await node.sql("CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'rep-secret-2'");
    await node.sql("SELECT pg_create_physical_replication_slot('live2')");
    const cloned = await replica.controller.clone({ upstream: { name: node.name, connUrl: node.connUrl } });
    expect(cloned, JSON.stringify(cloned)).toMatchObject({ ok: true });
    expect(await replica.controller.follow({ upstream: { name: node.name, connUrl: node.connUrl } })).toMatchObject({ ok: true });
    await waitFor('live2 streaming', async () => (await replica!.sql<{ s: string }>('SELECT status AS s FROM pg_stat_wal_receiver'))[0]?.s === 'streaming');
    expect((await replica.controller.observe()).ok).toBe(true);
    const seen = replica.controller.lastObservation!;

    await node.sql('CREATE TABLE replicated_after_the_cycle AS SELECT g FROM generate_series(1, 5000) g');
    const [primary] = await node.sql<{ lsn: number }>("SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::float8 AS lsn");
    await waitFor('live2 replays the write', async () => {
      const [r] = await replica!.sql<{ lsn: number }>("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::float8 AS lsn");
      return r!.lsn >= primary!.lsn;
    });
    expect(primary!.lsn).toBeGreaterThan(seen.replayLsn ?? 0);

    const doc = (await call(replica, 'GET', '/patroni')).json as { role: string; xlog: { received_location: number; replayed_location: number } };
    expect(doc.role).toBe('replica');
    expect(doc.xlog.received_location).toBeGreaterThanOrEqual(primary!.lsn);
    expect(doc.xlog.replayed_location).toBeGreaterThanOrEqual(primary!.lsn);
    // The health path's body is the loop's view.
    const health = (await call(replica, 'GET', '/replica')).json as { xlog: { replayed_location: number } };
    expect(health.xlog.replayed_location).toBe(seen.replayLsn);
  });

  it('concurrent requests share one query', async () => {
    const original = node.controller.observeLive.bind(node.controller);
    let queries = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    node.controller.observeLive = async (opts) => {
      queries++;
      await gate; // hold the first query until every request has arrived
      return original(opts);
    };
    try {
      const requests = Promise.all(Array.from({ length: 6 }, () => call(node, 'GET', '/patroni')));
      await new Promise((r) => setTimeout(r, 400));
      release();
      const answers = await requests;
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(queries).toBe(1);
      const positions = new Set(answers.map((a) => (a.json as Doc).xlog!.location));
      expect(positions.size).toBe(1);
    } finally {
      node.controller.observeLive = original;
    }
  });

  it('a query that fails reports state unknown and no xlog (peers then treat the node as unreachable)', async () => {
    // Cut the controller's session and refuse it a new one; one admin session stays to undo it.
    const admin = await adminClient(node);
    await admin.query('ALTER ROLE postgres NOLOGIN');
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
      const r = await call(node, 'GET', '/patroni');
      expect(r.status).toBe(200);
      const doc = r.json as Doc;
      expect(doc.state).toBe('unknown');
      expect(doc.role).toBe('primary');
      expect(doc.xlog).toBeUndefined();
      expect(doc.tags).toEqual({ zone: 'a' });
    } finally {
      await admin.query('ALTER ROLE postgres LOGIN');
      await admin.end();
    }
    expect(((await call(node, 'GET', '/patroni')).json as Doc).state).toBe('running');
  });

  it('a Postgres that does not answer: /patroni falls back to the loop state after 2 s; health paths answer at once', async () => {
    // Freeze the backend serving the controller's session: its next query hangs.
    expect((await call(node, 'GET', '/patroni')).status).toBe(200);
    const admin = await adminClient(node);
    const rows = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE usename = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    await admin.end();
    expect(rows.rows.length).toBeGreaterThan(0);
    const pids = rows.rows.map((r) => r.pid);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      let started = Date.now();
      const health = await call(node, 'GET', '/read-write');
      expect(Date.now() - started).toBeLessThan(1000);
      expect((health.json as Doc).xlog!.location).toBe(loopLsn);

      started = Date.now();
      const r = await call(node, 'GET', '/patroni');
      const elapsed = Date.now() - started;
      expect(r.status).toBe(200);
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      expect(elapsed).toBeLessThan(2900);
      expect(r.json as Doc).toMatchObject({ state: 'running', role: 'primary', xlog: { location: loopLsn } });
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
  });
});

async function adminClient(node: PgNode): Promise<pg.Client> {
  const rows = await node.sql<{ dir: string; port: number }>(
    "SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS dir, current_setting('port')::int AS port",
  );
  const client = new pg.Client({ host: rows[0]!.dir, port: rows[0]!.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
  await client.connect();
  return client;
}
