/**
 * What an idle HA cycle asks of the local Postgres: one monitoring query, nothing else.
 * The loop's observation at the start of the cycle also serves the member key and the
 * slot pass when no action of the cycle touched Postgres; a cycle that does act on it
 * queries again, so the member key never shows what Postgres was before the action.
 * Statements are counted by the server itself (log_min_duration_statement = 0 logs every
 * statement the server runs, and every execution of a named one).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { Dcs, KeyLayout, MemoryDcs, MemoryDcsServer, systemClock, type HaNode, type HaStatus } from '../../src/index.js';
import { buildNode } from '../ha/build-node.js';
import { nodeConfig } from '../ha/fixtures.js';
import { makeNode, sql, stopAndClean, waitFor, type Node } from './helpers.js';

/** Every statement logged: the slot-pass and member-key queries would show here too. */
const LOGGED = { log_min_duration_statement: 0 };
const TIMING = { ttl: 30, loop_wait: 10, retry_timeout: 10 };

describe('an idle HA cycle on PostgreSQL 15', () => {
  let sandbox: PostgresSandbox;
  let pg: Node;
  let replica: Node | undefined;
  let loop: HaNode;
  let server: MemoryDcsServer;
  let layout: KeyLayout;
  let logPath: string;
  let dcs: Dcs;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-idle-queries-' });
    pg = await makeNode(sandbox, 'idle', LOGGED);
    logPath = `${sandbox.root}/idle.log`;
    server = new MemoryDcsServer({ clock: systemClock });
    layout = new KeyLayout({ scope: 'idle' });
    dcs = memberDcs('idle');
    loop = buildNode({
      node: nodeConfig({
        name: 'idle',
        connUrl: pg.connUrl,
        // Slots on, with a permanent one, so the slot pass runs every cycle.
        bootstrapDcsConfig: { ...TIMING, postgresql: { use_slots: true, parameters: LOGGED }, slots: { keep_me: { type: 'physical' } } },
      }),
      dcs,
      postgres: pg.controller,
      clock: systemClock,
    });
    // Bootstrap through the loop, then let it settle: leader, running, no task, slot made.
    await waitFor(
      'the node to lead a running primary with its permanent slot',
      async () => {
        const s = await loop.runCycle();
        if (!(s.role === 'primary' && s.state === 'running' && s.task === null && s.lockValidUntil !== null)) return false;
        const slots = await sql<{ slot_name: string }>(pg, 'SELECT slot_name FROM pg_replication_slots');
        return slots.some((r) => r.slot_name === 'keep_me');
      },
      90_000,
    );
    for (let i = 0; i < 3; i++) await loop.runCycle();
  }, 120_000);

  afterAll(async () => {
    await stopAndClean(sandbox, replica, pg);
  });

  function memberDcs(name: string): Dcs {
    return new Dcs({
      adapter: new MemoryDcs({ server, layout, name, ttlSeconds: TIMING.ttl }),
      timing: { ttl: TIMING.ttl, loopWait: TIMING.loop_wait, retryTimeout: TIMING.retry_timeout },
      clock: systemClock,
    });
  }

  /** Statements a node's server ran so far, as logged: simple-protocol statements and executions. */
  function statements(path = logPath): string[] {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /duration: [\d.]+ ms {2}(statement|execute [^:]*):/.test(l));
  }

  /** Runs `cycles` cycles of a node; the statements its server logged meanwhile (the log is written as they end). */
  async function statementsDuring(cycles: number, between?: () => Promise<void>, on: { node: Node; loop: HaNode; log: string } = { node: pg, loop, log: logPath }): Promise<{ logged: string[]; status: HaStatus[] }> {
    const marker = `SELECT 'idle-queries marker ${Date.now()}'`;
    await sql(on.node, marker);
    await waitFor('the marker in the server log', async () => statements(on.log).some((l) => l.includes(marker)), 10_000);
    const before = statements(on.log).length;
    const status: HaStatus[] = [];
    for (let i = 0; i < cycles; i++) {
      await between?.();
      status.push(await on.loop.runCycle());
    }
    const closing = `SELECT 'idle-queries closing ${Date.now()}'`;
    await sql(on.node, closing);
    await waitFor('the closing marker in the server log', async () => statements(on.log).some((l) => l.includes(closing)), 10_000);
    const logged = statements(on.log).slice(before).filter((l) => !l.includes('idle-queries'));
    return { logged, status };
  }

  const monitoring = (lines: string[]): number => lines.filter((l) => l.includes('execute pgwarden_monitor')).length;

  it('runs exactly one monitoring query per idle cycle, and no other statement', async () => {
    const { logged, status } = await statementsDuring(5);
    for (const s of status) expect(s).toMatchObject({ role: 'primary', task: null });
    expect(monitoring(logged), logged.join('\n')).toBe(5);
    expect(logged.length, `statements besides the monitoring query:\n${logged.join('\n')}`).toBe(5);
  });

  it('a streaming replica\'s idle cycle also runs one monitoring query and nothing else', async () => {
    const r = await makeNode(sandbox, 'idle2', LOGGED);
    replica = r;
    const replicaLoop = buildNode({
      node: nodeConfig({ name: 'idle2', connUrl: r.connUrl, bootstrapDcsConfig: { ...TIMING, postgresql: { use_slots: true, parameters: LOGGED } } }),
      dcs: memberDcs('idle2'),
      postgres: r.controller,
      clock: systemClock,
    });
    // Both loops turn: the replica clones and starts, the primary makes its slot.
    await waitFor(
      'the second node streaming as a replica through its slot',
      async () => {
        await loop.runCycle();
        const s = await replicaLoop.runCycle();
        if (!(s.role === 'replica' && s.state === 'running' && s.task === null)) return false;
        const rows = await sql<{ active: boolean }>(pg, "SELECT active FROM pg_replication_slots WHERE slot_name = 'idle2'");
        const o = await r.controller.observe({ timeoutMs: 5000 });
        return rows[0]?.active === true && o.ok && o.value.walReceiver?.status === 'streaming';
      },
      90_000,
    );
    for (let i = 0; i < 3; i++) await replicaLoop.runCycle();
    const { logged, status } = await statementsDuring(5, undefined, { node: r, loop: replicaLoop, log: `${sandbox.root}/idle2.log` });
    for (const s of status) expect(s).toMatchObject({ role: 'replica', task: null });
    expect(monitoring(logged), logged.join('\n')).toBe(5);
    expect(logged.length, `statements besides the monitoring query:\n${logged.join('\n')}`).toBe(5);
  }, 120_000);

  it('the member key still follows the WAL: each cycle publishes what its own query saw', async () => {
    const lsn = async (): Promise<number> => {
      const [row] = await sql<{ lsn: string }>(pg, "SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::float8 AS lsn");
      return Number(row!.lsn);
    };
    await sql(pg, 'CREATE TABLE IF NOT EXISTS moved (i int)');
    await sql(pg, 'INSERT INTO moved VALUES (1)');
    const expected = await lsn();
    await loop.runCycle();
    const member = JSON.parse(server.get(layout.member('idle'))!.value) as { xlog_location: number };
    expect(member.xlog_location).toBe(expected);
  });

  it('a cycle that acts on Postgres queries it again for the member key', async () => {
    // A changed /config parameter: this cycle reloads Postgres (an action), so its member
    // key and slot pass must not use the observation taken before the reload.
    const config = JSON.parse(server.get(layout.key('config'))!.value) as { postgresql: { parameters: Record<string, unknown> } };
    config.postgresql.parameters = { ...config.postgresql.parameters, work_mem: '5MB' };
    server.put(layout.key('config'), JSON.stringify(config));
    const { logged } = await statementsDuring(1);
    expect(monitoring(logged), logged.join('\n')).toBe(2);
    const [setting] = await sql<{ work_mem: string }>(pg, 'SHOW work_mem');
    expect(setting!.work_mem).toBe('5MB');
  });

  it('the controller answers a later ask from the same observation only while nothing changed', async () => {
    const c = pg.controller;
    const first = await c.observe({ timeoutMs: 5000 });
    const again = await c.observe({ timeoutMs: 5000, observedSince: 0 });
    expect(again.ok && first.ok && again.value === first.value).toBe(true);
    // Without observedSince: a new query.
    const fresh = await c.observe({ timeoutMs: 5000 });
    expect(fresh.ok && first.ok && fresh.value !== first.value).toBe(true);
    // A restart changes the postmaster: never the old answer, however recent.
    expect((await c.restart({ role: 'primary', timeoutMs: 30_000 })).ok).toBe(true);
    const after = await c.observe({ timeoutMs: 5000, observedSince: 0 });
    if (!after.ok || !fresh.ok) throw new Error('observe failed');
    expect(after.value).not.toBe(fresh.value);
    expect(after.value.postmasterStartedAt).toBeGreaterThan(fresh.value.postmasterStartedAt);
    // A change that leaves the postmaster as it was (a reload) also makes the next ask query.
    const settled = await c.observe({ timeoutMs: 5000 });
    expect((await c.setSynchronousStandbyNames('x', { timeoutMs: 5000 })).ok).toBe(true);
    const afterReload = await c.observe({ timeoutMs: 5000, observedSince: 0 });
    if (!afterReload.ok || !settled.ok) throw new Error('observe failed');
    expect(afterReload.value).not.toBe(settled.value);
    expect((await c.setSynchronousStandbyNames(null, { timeoutMs: 5000 })).ok).toBe(true);
  });
});
