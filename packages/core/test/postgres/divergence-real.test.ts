import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, REPLICATION, sql, waitFor, type Node } from './helpers.js';

const DYNAMIC = { wal_level: 'replica', shared_buffers: '16MB' };

/**
 * The divergence check and pg_rewind after leader changes, on real PostgreSQL 15: a
 * cleanly stopped old primary and a replica between WAL receivers are in line with the
 * new leader (no rewind), and a rewind works when the pgpass file left by another agent
 * holds only the replication role. The steps build on each other and run in order.
 */
describe('divergence check and rewind after a leader change', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;
  const leaderB = () => ({ name: b.name, connUrl: b.connUrl });

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-diverge-' });
    a = await makeNode(sandbox, 'node-a', DYNAMIC, { use_slots: false });
    b = await makeNode(sandbox, 'node-b', DYNAMIC, { use_slots: false });
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    await sql(a, 'CREATE TABLE t (id int PRIMARY KEY, origin text)');
    await sql(a, "INSERT INTO t SELECT g, 'a' FROM generate_series(1, 100) g");
    expect(await b.controller.clone({ upstream: { name: a.name, connUrl: a.connUrl } })).toMatchObject({ ok: true });
    expect(await b.controller.follow({ upstream: { name: a.name, connUrl: a.connUrl } })).toMatchObject({ ok: true });
    await waitFor('node-b streaming', async () => {
      const o = await a.controller.observe();
      return o.ok && o.value.replication.some((r) => r.applicationName === 'node-b' && r.state === 'streaming');
    });
  });

  afterAll(async () => {
    for (const n of [a, b]) {
      await n?.controller.stop('immediate', { timeoutMs: 10_000 });
      await n?.controller.close();
    }
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('a cleanly stopped primary whose WAL ends at the switch point is not diverged', async () => {
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    const cd = await a.controller.controlData();
    if (!cd.ok) throw new Error(cd.message);
    // The replica has the shutdown checkpoint once its replay passed it.
    await waitFor('node-b to replay the shutdown checkpoint', async () => {
      const r = await sql<{ past: boolean }>(b, `SELECT pg_last_wal_replay_lsn() > '${lsnText(cd.value.checkpointLsn)}'::pg_lsn AS past`);
      return r[0]!.past;
    });
    expect(await b.controller.promote()).toEqual({ ok: true });
    const verdict = await a.controller.checkDivergence(leaderB());
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.value).toMatchObject({ needed: false });
  });

  it('a replica on the new timeline whose WAL receiver is not running is not diverged', async () => {
    expect(await a.controller.follow({ upstream: leaderB() })).toMatchObject({ ok: true });
    await sql(b, "INSERT INTO t SELECT g, 'b' FROM generate_series(101, 150) g");
    await waitFor('node-a to replay the new timeline', async () => {
      const r = await sql<{ n: string }>(a, 'SELECT count(*) AS n FROM t');
      return Number(r[0]!.n) === 150;
    });
    // The monitoring query reports when the last replayed transaction committed (/patroni xlog.replayed_timestamp).
    const obs = await a.controller.observe();
    if (!obs.ok) throw new Error(obs.message);
    expect(obs.value.replayTimestampMs).toBeGreaterThan(Date.now() - 600_000);
    // Its last restartpoint is still on the old timeline: the number that misled the check.
    const ckpt = await sql<{ tli: number }>(a, 'SELECT timeline_id AS tli FROM pg_control_checkpoint()');
    expect(ckpt[0]!.tli).toBe(1);
    // Point it at nothing: its WAL receiver goes away, as between two leaders.
    const nowhere = `postgres://127.0.0.1:${await freeLoopbackPort()}/postgres`;
    expect(await a.controller.follow({ upstream: { name: 'nowhere', connUrl: nowhere } })).toMatchObject({ ok: true });
    await waitFor('node-a without a WAL receiver', async () => (await sql(a, 'SELECT 1 FROM pg_stat_wal_receiver')).length === 0);
    const verdict = await a.controller.checkDivergence(leaderB());
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.value).toMatchObject({ needed: false, reason: 'same timeline 2' });
  });

  it('rewinds a diverged node whose pgpass holds only the replication role', async () => {
    // node-a forks: promoted on its own, it writes rows node-b never sees.
    expect(await a.controller.promote()).toEqual({ ok: true });
    await sql(a, "INSERT INTO t VALUES (9999, 'divergent')");
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    const diverged = await a.controller.checkDivergence(leaderB());
    if (!diverged.ok) throw new Error(diverged.message);
    expect(diverged.value.needed).toBe(true);
    // What Patroni leaves behind: one line, for the replication role only.
    const pgpass = a.config.pgpass!;
    writeFileSync(pgpass, `*:*:*:${REPLICATION.username}:${REPLICATION.password}\n`);
    const rw = await a.controller.rewind(leaderB());
    expect(rw).toEqual({ ok: true, value: 'rewound' });
    expect(readFileSync(pgpass, 'utf8')).toContain(':postgres:');
    expect(await a.controller.follow({ upstream: leaderB() })).toMatchObject({ ok: true });
    await sql(b, "INSERT INTO t VALUES (151, 'b')");
    await waitFor('node-a to stream from node-b again', async () => {
      const r = await sql<{ n: string }>(a, 'SELECT count(*) AS n FROM t WHERE id <= 151');
      return Number(r[0]!.n) === 151;
    });
    expect(await sql(a, 'SELECT * FROM t WHERE id = 9999')).toEqual([]);
  });
});

function lsnText(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  return `${hi.toString(16)}/${(lsn - hi * 2 ** 32).toString(16)}`;
}
