import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, sql, waitFor, type Node } from '../postgres/helpers.js';
import { AgentProcess, childrenOf, isAlive, monoNow, rssKb } from './agent-process.js';
import { buildAgent, GUARD_SCRIPT } from './build-agent.js';
import { connect, writeUntil } from './writer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Issue #8 on real processes: PostgreSQL 15, a stand-in agent process that owns the
 * fence, and the real guard (guard.sh under /bin/sh). The agent is frozen or killed the
 * way the issue describes, and we measure when the last write was acknowledged.
 */
describe('fence: the guard stops a primary whose agent cannot renew the lock', () => {
  let sandbox: PostgresSandbox;
  let node: Node;
  let entry: string;
  let agent: AgentProcess | null = null;
  let stateDir = '';
  let runs = 0;
  const guards: number[] = [];

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-fence-' });
    node = await makeNode(sandbox, 'fence', { shared_buffers: '16MB' });
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    expect(await node.controller.postBootstrap()).toEqual({ ok: true });
    await sql(node, 'CREATE TABLE fence_writes (id bigserial PRIMARY KEY, at timestamptz)');
    entry = buildAgent(sandbox.mkdir('agent-build'));
  });

  afterEach(async () => {
    await agent?.destroy();
    agent = null;
    // Every scenario ends with its guard gone on its own (fenced, told to exit, or
    // orphaned while disarmed); kill survivors so a failure leaves nothing behind.
    const pids = guards.splice(0);
    await waitFor('guards to exit', async () => pids.every((p) => !isAlive(p)), 2000).catch(() => undefined);
    const left = pids.filter(isAlive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left).toEqual([]);
  });

  afterAll(async () => {
    await node?.controller.stop('immediate', { timeoutMs: 10_000 });
    await node?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  async function primaryPid(): Promise<number> {
    if (!(await node.controller.isRunning())) expect(await node.controller.start({ role: 'primary' })).toEqual({ ok: true });
    await waitFor('writable primary', async () => (await sql(node, 'SELECT NOT pg_is_in_recovery() AS w'))[0]?.['w']);
    const pid = node.controller.status().postmasterPid;
    if (!pid) throw new Error('no postmaster pid');
    return pid;
  }

  /** The production idle wake-up (30 s) unless a test needs the orphan check sooner. */
  async function startAgent(marginMs: number, idleCheckMs = 30_000): Promise<number> {
    stateDir = join(sandbox.root, `fence-${++runs}`);
    const started = await AgentProcess.start(entry, { dataDir: node.config.data_dir, marginMs, stateDir, guardScript: GUARD_SCRIPT, idleCheckMs });
    agent = started.agent;
    const guard = started.state.guardPid;
    if (!guard) throw new Error('no guard');
    guards.push(guard);
    return guard;
  }

  const report = (): string => (existsSync(join(stateDir, 'report')) ? readFileSync(join(stateDir, 'report'), 'utf8') : '');
  const fastStops = (): number => readFileSync(join(sandbox.root, 'fence.log'), 'utf8').split('received fast shutdown request').length - 1;

  /** The fenced cases: writes stop after validUntil − margin and before validUntil. */
  async function expectFencedInTime(validUntil: number, marginMs: number, pmPid: number, fastBefore: number): Promise<void> {
    const w = await writeUntil(node, validUntil + 1000);
    expect(w.lastOk).not.toBeNull();
    const lastOk = w.lastOk!;
    // The contract: no commit acknowledged at or after validUntil.
    expect(lastOk).toBeLessThan(validUntil);
    // Not early: writes went on until the deadline (validUntil − margin); 500 ms tolerance
    // for one slow commit on a loaded 2-core box. Not late: within 1 s of the deadline.
    expect(lastOk).toBeGreaterThan(validUntil - marginMs - 500);
    expect(lastOk).toBeLessThan(validUntil - marginMs + 1000);
    expect(w.refusedAfter).toBeGreaterThan(5);
    expect(isAlive(pmPid)).toBe(false);
    expect(fastStops()).toBe(fastBefore + 1);
    expect(report()).toMatch(/ signal INT\n.* done fast\n/);
  }

  it('(a) agent SIGSTOPped: fast shutdown before validUntil; the agent reports it after SIGCONT', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(2000);
    const fastBefore = fastStops();
    const { validUntil } = await agent!.send('arm', { ttlMs: 6000 });
    const armed = await agent!.state();
    expect(armed, JSON.stringify(agent!.logs)).toMatchObject({ armed: true, validUntil });
    // The deadline the guard holds, read back through /proc/uptime: validUntil − margin, ±20 ms.
    expect(Math.abs(armed.deadline! - (validUntil! - 2000))).toBeLessThan(20);
    agent!.signal('SIGSTOP');
    await expectFencedInTime(validUntil!, 2000, pm, fastBefore);
    expect(report()).toContain('fired agent-stopped');
    await waitFor('guard exit', async () => !isAlive(guard), 3000);
    agent!.signal('SIGCONT');
    const st = await agent!.state();
    expect(st).toMatchObject({ armed: false, fencedCount: 1, lastFence: { why: 'agent-stopped', stop: 'fast' } });
    expect(agent!.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toContainEqual(
      expect.stringMatching(/guard stopped Postgres \(fast shutdown\) because the agent is stopped/),
    );
  });

  it('(b) agent process group SIGKILLed, after a heartbeat moved the deadline earlier: fenced in time', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(2000);
    const fastBefore = fastStops();
    await agent!.send('arm', { ttlMs: 60_000 });
    // A shorter TTL: the guard must be woken, not sleep on to the old deadline.
    const { validUntil } = await agent!.send('arm', { ttlMs: 5000 });
    agent!.signal('SIGKILL', true);
    await agent!.exited;
    expect(isAlive(guard)).toBe(true);
    await expectFencedInTime(validUntil!, 2000, pm, fastBefore);
    expect(report()).toContain('fired agent-gone');
    await waitFor('guard exit', async () => !isAlive(guard), 3000);
  });

  it('(c) heartbeats continue: Postgres runs through many deadlines; the guard is small', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(1500);
    // Each heartbeat: validUntil = now + 3 s, so each deadline is 1.5 s away; 5 s ≈ 10 deadlines.
    await agent!.send('heartbeat', { ttlMs: 3000, everyMs: 500 });
    const w = await writeUntil(node, monoNow() + 5000);
    expect(w.refusedAfter).toBe(0);
    expect(w.ok).toBeGreaterThan(50);
    expect(isAlive(pm)).toBe(true);
    expect(report()).not.toContain('fired');
    const st = await agent!.state();
    expect(st).toMatchObject({ armed: true, fencedCount: 0, guardPid: guard });
    // dash sleeping in `wait`: ~1 MB; bound 4 MB. (A second Node process would be ~40 MB.)
    const rss = rssKb(guard);
    const napping = childrenOf(guard).reduce((sum, pid) => sum + rssKb(pid), 0);
    console.log(`guard VmRSS ${rss} kB, its sleep child ${napping} kB`);
    expect(rss).toBeLessThan(4096);
    expect(rss + napping).toBeLessThan(8192);
    await agent!.send('shutdown');
    await agent!.exited;
  });

  it('(d) disarmed, then SIGSTOPped past validUntil: Postgres keeps running', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(1500);
    const { validUntil } = await agent!.send('arm', { ttlMs: 3000 });
    await agent!.send('disarm');
    agent!.signal('SIGSTOP');
    const w = await writeUntil(node, validUntil! + 1500);
    expect(w.refusedAfter).toBe(0);
    expect(isAlive(pm)).toBe(true);
    expect(isAlive(guard)).toBe(true);
    expect(report()).not.toContain('fired');
    agent!.signal('SIGCONT');
    await agent!.send('shutdown');
    await agent!.exited;
    expect(isAlive(guard)).toBe(false);
  });

  it('(e) a 2 s freeze with ttl 20 s and margin 5 s: no fence', async () => {
    const pm = await primaryPid();
    await startAgent(5000);
    await agent!.send('heartbeat', { ttlMs: 20_000, everyMs: 1000 });
    await sleep(1200);
    agent!.signal('SIGSTOP');
    const writes = writeUntil(node, monoNow() + 3500);
    await sleep(2000);
    agent!.signal('SIGCONT');
    const w = await writes;
    expect(w.refusedAfter).toBe(0);
    expect(isAlive(pm)).toBe(true);
    expect((await agent!.state()).fencedCount).toBe(0);
    expect(report()).not.toContain('fired');
    await agent!.send('shutdown');
  });

  it('(f) clean agent shutdown while armed: the guard exits, Postgres untouched', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(1500);
    const { validUntil } = await agent!.send('arm', { ttlMs: 3000 });
    await agent!.send('shutdown');
    expect((await agent!.exited).code).toBe(0);
    expect(isAlive(guard)).toBe(false);
    expect(report(), `${stateDir}: ${JSON.stringify(agent!.logs)} ${String(readdirSync(stateDir))}`).toContain('exit requested');
    await sleep(Math.max(0, validUntil! + 500 - monoNow()));
    expect(isAlive(pm)).toBe(true);
    expect(report()).not.toContain('fired');
  });

  it('(g) disarmed guard whose agent is killed exits by itself', async () => {
    const pm = await primaryPid();
    const guard = await startAgent(1500, 500);
    await agent!.send('arm', { ttlMs: 3000 });
    await agent!.send('disarm');
    agent!.signal('SIGKILL');
    await agent!.exited;
    await waitFor('orphaned, disarmed guard to exit', async () => !isAlive(guard), 3000);
    expect(report()).toContain('exit agent-gone');
    expect(isAlive(pm)).toBe(true);
  });

  it('(h) a postmaster that cannot act on INT or QUIT: SIGKILL of it and of its backends, still before validUntil', async () => {
    const pm = await primaryPid();
    await startAgent(2000);
    const client = await connect(node);
    const { validUntil } = await agent!.send('arm', { ttlMs: 5000 });
    agent!.signal('SIGSTOP');
    // A frozen postmaster leaves its signals pending, but its backends keep committing.
    process.kill(pm, 'SIGSTOP');
    const kids = childrenOf(pm);
    expect(kids.length).toBeGreaterThan(3);
    const w = await writeUntil(node, validUntil! + 1000, client);
    expect(w.lastOk).toBeLessThan(validUntil!);
    // Writes went on through the fast (margin/2) and immediate (margin/4) budgets: the
    // backends were stopped by the SIGKILL step, 300 ms tolerance.
    expect(w.lastOk).toBeGreaterThan(validUntil! - 2000 + 1000 - 300);
    expect(report()).toMatch(/signal INT\n.*signal QUIT\n.*signal KILL\n.*done kill\n/);
    // Nothing of that Postgres is left. (Its children call setsid(), so the guard kills each
    // one; Postgres's own postmaster-death handling would also end most of them.)
    expect(kids.filter(isAlive)).toEqual([]);
    expect(isAlive(pm)).toBe(false);
  });

  it('(i) a SIGKILLed guard leaves no sleep child behind for more than one 2 s nap step', async () => {
    const pm = await primaryPid();
    // Disarmed with the production 30 s idle wake-up: the guard naps in 2 s steps.
    const guard = await startAgent(1500);
    const napping = await waitFor('the guard napping in a sleep child', async () => {
      const kids = childrenOf(guard);
      return kids.length > 0 ? kids : null;
    }, 3000);
    process.kill(guard, 'SIGKILL');
    const killedAt = monoNow();
    await waitFor('the orphaned sleep child to end', async () => napping.every((p) => !isAlive(p)), 5000);
    const lingered = monoNow() - killedAt;
    console.log(`orphaned sleep child of a SIGKILLed guard lingered ${Math.round(lingered)} ms`);
    expect(lingered).toBeLessThan(3000);
    expect(isAlive(pm)).toBe(true);
    await agent!.send('shutdown');
  });
});
