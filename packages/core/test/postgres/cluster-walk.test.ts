import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import type { PostmasterExit } from '../../src/index.js';
import { makeNode, sql, waitFor, type Node } from './helpers.js';

const DYNAMIC = { wal_level: 'logical', shared_buffers: '16MB' };

/**
 * One cluster's life on real PostgreSQL 15: bootstrap, clone, promote, rewind, follow,
 * slots, pending restart, crash. The steps depend on each other, so they run in order.
 */
describe('LocalPostgresController: a cluster walk on PostgreSQL 15', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-walk-' });
    a = await makeNode(sandbox, 'node-a', DYNAMIC);
    b = await makeNode(sandbox, 'node-b', DYNAMIC);
  });

  afterAll(async () => {
    await a?.controller.stop('immediate', { timeoutMs: 10_000 });
    await b?.controller.stop('immediate', { timeoutMs: 10_000 });
    await a?.controller.close();
    await b?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('bootstraps a primary and writes rows', async () => {
    expect(await a.controller.dataDirState()).toEqual({ kind: 'empty' });
    const boot = await a.controller.bootstrap();
    expect(boot).toEqual({ ok: true });
    expect(await a.controller.postBootstrap()).toEqual({ ok: true });
    const st = await a.controller.dataDirState();
    expect(st.kind).toBe('valid');
    expect(a.controller.status()).toMatchObject({ state: 'running', role: 'primary' });
    const obs = await a.controller.observe();
    if (!obs.ok) throw new Error(obs.message);
    expect(obs.value.inRecovery).toBe(false);
    expect(obs.value.timeline).toBe(1);
    expect(Math.floor(obs.value.serverVersion / 10000)).toBe(15);
    await sql(a, 'CREATE TABLE t (id int PRIMARY KEY, origin text)');
    await sql(a, "INSERT INTO t SELECT g, 'a' FROM generate_series(1, 100) g");
    // The password never reaches the postmaster's command line.
    const pid = a.controller.status().postmasterPid!;
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('su-secret');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('--wal_level=logical');
  });

  it('creates a member slot and a permanent logical slot on the primary', async () => {
    const r = await a.controller.syncSlots({
      desired: [
        { name: 'node_b', type: 'physical' },
        { name: 'perm_logical', type: 'logical', database: 'postgres', plugin: 'test_decoding' },
      ],
      dropUndesired: true,
    });
    if (!r.ok) throw new Error(r.message);
    expect([...r.value.created].sort()).toEqual(['node_b', 'perm_logical']);
    const rows = await sql<{ slot_name: string; slot_type: string; restart_lsn: string | null }>(
      a,
      'SELECT slot_name, slot_type, restart_lsn::text FROM pg_replication_slots ORDER BY 1',
    );
    expect(rows.map((x) => [x.slot_name, x.slot_type])).toEqual([
      ['node_b', 'physical'],
      ['perm_logical', 'logical'],
    ]);
    expect(rows[0]!.restart_lsn).not.toBeNull();
  });

  it('clones a replica that streams from the primary through its slot', async () => {
    const clone = await b.controller.clone({ upstream: { name: a.name, connUrl: a.connUrl } });
    expect(clone).toEqual({ ok: true, value: { method: 'basebackup' } });
    const follow = await b.controller.follow({ upstream: { name: a.name, connUrl: a.connUrl } });
    expect(follow).toEqual({ ok: true, value: 'started' });
    await waitFor('node-b streaming in pg_stat_replication', async () => {
      const o = await a.controller.observe();
      return o.ok && o.value.replication.some((r) => r.applicationName === 'node-b' && r.state === 'streaming');
    });
    const obs = await b.controller.observe();
    if (!obs.ok) throw new Error(obs.message);
    expect(obs.value.inRecovery).toBe(true);
    expect(obs.value.walReceiver?.slotName).toBe('node_b');
    expect(b.controller.status().role).toBe('replica');
  });

  it('sees the member slot advance as the replica confirms WAL', async () => {
    const slotLsn = async (): Promise<number> => {
      const o = await a.controller.observe();
      if (!o.ok) throw new Error(o.message);
      return o.value.slots.find((s) => s.name === 'node_b')!.restartLsn ?? 0;
    };
    const before = await slotLsn();
    await sql(a, "INSERT INTO t SELECT g, 'a' FROM generate_series(101, 200) g");
    await sql(a, 'SELECT pg_switch_wal()');
    await waitFor('slot node_b restart_lsn to advance', async () => (await slotLsn()) > before);
    await waitFor('rows replicated to node-b', async () => {
      const r = await sql<{ n: string }>(b, 'SELECT count(*) AS n FROM t');
      return Number(r[0]!.n) === 200;
    });
  });

  it('reports a restart-requiring change as pending restart, and an invalid value as a warning', async () => {
    const r = await a.controller.applyParameters({ ...DYNAMIC, shared_buffers: '24MB', work_mem: 'lots', max_connections: 'many' });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.pendingRestart['shared_buffers']).toEqual({ old_value: '16MB', new_value: '24MB' });
    expect(a.controller.status()).toMatchObject({ pendingRestart: true });
    expect(r.value.rejected).toEqual(expect.arrayContaining(['work_mem', 'max_connections']));
    expect(a.logger.messages('warn').some((m) => m.includes('work_mem') && m.includes('lots'))).toBe(true);
    const [wm] = await sql<{ work_mem: string }>(a, 'SHOW work_mem');
    expect(wm!.work_mem).toBe('4MB');
    // Strict validation (config checking) reports the same values as errors.
    const strict = await a.controller.validateParameters({ work_mem: 'lots', max_connections: 'many', shared_buffers: '24MB' });
    expect(strict.map((x) => x.name).sort()).toEqual(['max_connections', 'work_mem']);
  });

  it('promotes the replica, rewinds the diverged old primary and makes it follow', async () => {
    const prom = await b.controller.promote();
    expect(prom).toEqual({ ok: true });
    expect(b.controller.status().role).toBe('primary');
    const ob = await b.controller.observe();
    if (!ob.ok) throw new Error(ob.message);
    expect(ob.value.timeline).toBe(2);
    // The old primary keeps writing: these rows were never acknowledged to anyone else.
    await sql(a, "INSERT INTO t VALUES (9999, 'divergent')");
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    const leader = { name: b.name, connUrl: b.connUrl };
    // Started as a standby on its forked timeline (as after a demotion), it is found
    // diverged while it runs, not only once stopped.
    expect(await a.controller.start({ role: 'replica', upstream: leader })).toEqual({ ok: true });
    const whileRunning = await a.controller.checkDivergence(leader);
    if (!whileRunning.ok) throw new Error(whileRunning.message);
    expect(whileRunning.value.needed).toBe(true);
    expect(await a.controller.stop('fast')).toEqual({ ok: true });
    const verdict = await a.controller.checkDivergence(leader);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.value.needed).toBe(true);
    await b.controller.syncSlots({ desired: [{ name: 'node_a', type: 'physical' }], dropUndesired: false });
    const rw = await a.controller.rewind(leader);
    expect(rw).toEqual({ ok: true, value: 'rewound' });
    const f = await a.controller.follow({ upstream: leader });
    expect(f).toEqual({ ok: true, value: 'started' });
    await waitFor('node-a streaming from node-b', async () => {
      const o = await b.controller.observe();
      return o.ok && o.value.replication.some((r) => r.applicationName === 'node-a' && r.state === 'streaming');
    });
    await sql(b, "INSERT INTO t SELECT g, 'b' FROM generate_series(201, 250) g");
    await waitFor('node-a to have every acknowledged row', async () => {
      const r = await sql<{ n: string }>(a, 'SELECT count(*) AS n FROM t WHERE id <= 250');
      return Number(r[0]!.n) === 250;
    });
    expect(await sql(a, 'SELECT * FROM t WHERE id = 9999')).toEqual([]);
    // Streaming from the leader on its timeline: nothing to rewind.
    const streaming = await a.controller.checkDivergence(leader);
    if (!streaming.ok) throw new Error(streaming.message);
    expect(streaming.value.needed).toBe(false);
  });

  it('refuses a rewind source that is itself in recovery, touching nothing', async () => {
    const r = await b.controller.rewind({ name: a.name, connUrl: a.connUrl });
    expect(r).toMatchObject({ ok: false, code: 'wrong-role' });
    if (!r.ok) expect(r.message).toMatch(/node-a is in recovery/);
    expect(await b.controller.isRunning()).toBe(true);
    expect(b.controller.status().role).toBe('primary');
  });

  it('detects a SIGKILLed postmaster, and it recovers and starts again', async () => {
    const pid = b.controller.status().postmasterPid!;
    const exits: PostmasterExit[] = [];
    const off = b.controller.onPostmasterExit((e) => exits.push(e));
    process.kill(pid, 'SIGKILL');
    await waitFor('the exit event', async () => exits.length > 0, 5000);
    off();
    expect(exits[0]).toEqual({ pid, expected: false });
    expect(b.controller.status().state).toBe('crashed');
    expect(await b.controller.isRunning()).toBe(false);
    // Orphaned backends notice the postmaster's death and exit; then the start succeeds.
    const started = await waitFor('start after crash', async () => {
      const r = await b.controller.start({ role: 'primary', timeoutMs: 10_000 });
      return r.ok ? r : null;
    }, 30_000);
    expect(started).toEqual({ ok: true });
    const [n] = await sql<{ n: string }>(b, 'SELECT count(*) AS n FROM t');
    expect(Number(n!.n)).toBe(250);
    expect(b.controller.status()).toMatchObject({ state: 'running', role: 'primary' });
  });
});
