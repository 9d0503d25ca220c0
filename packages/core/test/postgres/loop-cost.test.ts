/**
 * What one HA cycle costs the local Postgres: the loop asks isRunning, observe (twice:
 * the cycle's view and the member key), dataDirState and, on a primary, a slot pass.
 * Under CPU load a connection per query (a backend fork plus authentication each) and a
 * pg_controldata child per cycle made most cycles overrun loop_wait. Now: one kept
 * session with a deadline, reconnected after any failure, and the system identifier read
 * once per data directory; the monitoring query is a named statement, planned once per
 * session. Connections and statement steps are counted from the server's own log
 * (log_connections, log_min_duration_statement), child processes from the controller's
 * program counter.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { programStats } from '../../src/index.js';
import { makeNode, type Node, sql, stopAndClean, waitFor } from './helpers.js';

const SLOT_REQUEST = { desired: [{ name: 'node2', type: 'physical' as const }], ignore: [], dropUndesired: true };

describe('the per-cycle cost of the local controller', () => {
  let sandbox: PostgresSandbox;
  let node: Node;
  let logPath: string;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-loopcost-' });
    // Every statement step is logged too (parse, bind, execute), for the monitoring query's test.
    node = await makeNode(sandbox, 'cost', { log_connections: 'on', log_min_duration_statement: '0' });
    logPath = `${sandbox.root}/cost.log`;
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  /** Sessions the controller opened so far (application_name pgwarden), from the server log. */
  const controllerConnections = (): number =>
    readFileSync(logPath, 'utf8').split('\n').filter((l) => l.includes('connection authorized') && l.includes('application_name=pgwarden')).length;

  async function cycle(): Promise<void> {
    const c = node.controller;
    expect(await c.isRunning()).toBe(true);
    expect((await c.observe({ timeoutMs: 5000 })).ok).toBe(true);
    expect((await c.dataDirState({ timeoutMs: 5000 })).kind).toBe('valid');
    expect((await c.syncSlots(SLOT_REQUEST, { timeoutMs: 5000 })).ok).toBe(true);
    expect((await c.observe({ timeoutMs: 5000 })).ok).toBe(true);
  }

  it('runs 20 cycles on one connection and without child processes once the system identifier is known', async () => {
    await cycle(); // warm: connects, reads pg_control once, creates the slot
    // The log does count our connections (so a zero below means none, not a blind counter).
    await waitFor('the warm-up connection in the server log', async () => controllerConnections() >= 1, 5000);
    const connectionsBefore = controllerConnections();
    const programsBefore = programStats.started;
    const cycles = 20;
    const started = performance.now();
    for (let i = 0; i < cycles; i++) await cycle();
    const perCycleMs = (performance.now() - started) / cycles;
    // The server logs a connection as it authorizes it: give the log a moment.
    await new Promise((r) => setTimeout(r, 300));
    const connections = controllerConnections() - connectionsBefore;
    const programs = programStats.started - programsBefore;
    console.log(`loop cost: ${cycles} cycles, ${connections} new connections, ${programs} child processes, ${perCycleMs.toFixed(1)} ms per cycle`);
    expect(connections).toBe(0);
    expect(programs).toBe(0);
  });

  it('parses the monitoring query once per session (a named statement) and does not read pg_settings', async () => {
    const logged = (pattern: RegExp): number => readFileSync(logPath, 'utf8').split('\n').filter((l) => pattern.test(l)).length;
    const executedBefore = logged(/execute pgwarden_monitor/);
    for (let i = 0; i < 5; i++) expect((await node.controller.observe({ timeoutMs: 5000 })).ok).toBe(true);
    await waitFor('the executions in the server log', async () => logged(/execute pgwarden_monitor/) >= executedBefore + 5, 10_000);
    // One session so far: each of the two statements (before and after the primary's
    // checkpoint was seen on its timeline) parsed once, whatever the number of cycles.
    expect(logged(/parse pgwarden_monitor:/)).toBe(1);
    expect(logged(/parse pgwarden_monitor_primary:/)).toBe(1);
    // Building every setting's row for pending_restart was most of the query's cost.
    expect(logged(/pending_restart/)).toBe(0);
  });

  it('reconnects after the session is terminated', async () => {
    const [backend] = await sql<{ pid: number }>(node, `SELECT pid FROM pg_stat_activity WHERE application_name = 'pgwarden'`);
    expect(backend).toBeDefined();
    await sql(node, 'SELECT pg_terminate_backend($1)', [backend!.pid]);
    // The next query may see the closed session (and fail) or a new one; within two it works.
    const first = await node.controller.observe({ timeoutMs: 5000 });
    const ok = first.ok || (await node.controller.observe({ timeoutMs: 5000 })).ok;
    expect(ok).toBe(true);
    const [now] = await sql<{ pid: number }>(node, `SELECT pid FROM pg_stat_activity WHERE application_name = 'pgwarden'`);
    expect(now!.pid).not.toBe(backend!.pid);
  });

  it('a session that stops answering fails the call at its deadline, and the next call connects anew', async () => {
    await node.controller.observe({ timeoutMs: 5000 });
    const [backend] = await sql<{ pid: number }>(node, `SELECT pid FROM pg_stat_activity WHERE application_name = 'pgwarden'`);
    process.kill(backend!.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const r = await node.controller.observe({ timeoutMs: 1000 });
      expect(r.ok).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      process.kill(backend!.pid, 'SIGCONT');
    }
    await waitFor('a new session', async () => (await node.controller.observe({ timeoutMs: 5000 })).ok);
  });

  it('a smart stop is not held up by the kept session', async () => {
    await node.controller.observe({ timeoutMs: 5000 });
    expect(await node.controller.stop('smart', { checkpoint: false, timeoutMs: 20_000 })).toEqual({ ok: true });
    expect((await node.controller.start({ role: 'primary' })).ok).toBe(true);
  });

  it('reads the system identifier again when the data directory is replaced', async () => {
    const before = await node.controller.dataDirState();
    expect(before.kind).toBe('valid');
    expect(await node.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await node.controller.removeDataDirectory()).toEqual({ ok: true });
    expect((await node.controller.dataDirState()).kind).toBe('empty');
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    const after = await node.controller.dataDirState();
    expect(after.kind === 'valid' && before.kind === 'valid' && after.sysid !== before.sysid).toBe(true);
  });
});
