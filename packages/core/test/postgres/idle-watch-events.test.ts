/**
 * An idle agent no longer polls for its postmaster's exit on a fast timer, and no longer
 * re-reads postmaster.pid and the data directory each cycle when they did not change.
 * These check that nothing goes stale because of it, on a real PostgreSQL 15:
 * - an adopted postmaster (one another controller started, as after an agent restart)
 *   that is SIGKILLed is reported at once through the agent's own session closing, and
 *   one stopped cleanly through its pid file going away — both with the /proc backstop
 *   set far beyond the test's deadlines, so only the events can pass them;
 * - our own child is reported by its exit event, with no timer at all;
 * - postmaster.pid replaced or removed: the next look names the new postmaster, or none;
 * - the data directory swapped for another cluster: the next dataDirState() reports the
 *   other cluster's system identifier.
 */
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { LocalPostgresController, MemoryLogger, type PostmasterExit } from '../../src/index.js';
import { PostmasterPidCache } from '../../src/postgres/local/postmaster-pid.js';
import { makeNode, type Node, stopAndClean, waitFor } from './helpers.js';

/** Far longer than any wait below: an exit seen in time was seen through an event. */
const NO_BACKSTOP_MS = 3_600_000;
const EVENT_DEADLINE_MS = 20_000;

function adopter(node: Node): { controller: LocalPostgresController; exits: PostmasterExit[] } {
  const controller = new LocalPostgresController({ config: node.config, logger: new MemoryLogger(), adoptedPostmasterBackstopMs: NO_BACKSTOP_MS });
  const exits: PostmasterExit[] = [];
  controller.onPostmasterExit((e) => exits.push(e));
  return { controller, exits };
}

function pidOf(c: LocalPostgresController): number {
  const pid = c.status().postmasterPid;
  if (pid === null) throw new Error('no postmaster known');
  return pid;
}

describe('exit events and per-cycle reads kept only while true', () => {
  let sandbox: PostgresSandbox;
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-idlewatch-' });
    a = await makeNode(sandbox, 'iw-a', {}, { use_slots: false });
    b = await makeNode(sandbox, 'iw-b', {}, { use_slots: false });
    expect(await a.controller.bootstrap()).toEqual({ ok: true });
  }, 60_000);

  afterAll(async () => {
    await stopAndClean(sandbox, a, b);
  });

  it('an adopted postmaster SIGKILLed is reported through the closed session, not a poll', async () => {
    const { controller, exits } = adopter(a);
    try {
      expect(await controller.isRunning()).toBe(true);
      const pid = pidOf(controller);
      expect((await controller.observe()).ok).toBe(true); // the session Postgres will close
      process.kill(pid, 'SIGKILL');
      await waitFor('the adopted postmaster reported gone', async () => exits.length > 0, EVENT_DEADLINE_MS);
      expect(exits[0]).toEqual({ pid, expected: false });
      expect(controller.status().postmasterPid).toBeNull();
      expect(controller.status().state).toBe('crashed');
    } finally {
      await controller.close();
    }
  });

  it('our own child SIGKILLed is reported by its exit event', async () => {
    const exits: PostmasterExit[] = [];
    const off = a.controller.onPostmasterExit((e) => exits.push(e));
    try {
      await waitFor('the old postmaster seen gone', async () => !(await a.controller.isRunning()));
      expect(await a.controller.start({ role: 'primary' })).toEqual({ ok: true });
      const pid = pidOf(a.controller);
      process.kill(pid, 'SIGKILL');
      await waitFor('the child postmaster reported gone', async () => exits.some((e) => e.pid === pid), EVENT_DEADLINE_MS);
      expect(a.controller.status().postmasterPid).toBeNull();
    } finally {
      off();
    }
  });

  it('an adopted postmaster stopped cleanly (no session open) is reported through its pid file', async () => {
    await waitFor('the old postmaster seen gone', async () => !(await a.controller.isRunning()));
    expect(await a.controller.start({ role: 'primary' })).toEqual({ ok: true });
    const { controller, exits } = adopter(a);
    try {
      expect(await controller.isRunning()).toBe(true);
      const pid = pidOf(controller);
      // Another agent's fast stop; this controller never opened a session to it.
      expect(await a.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
      await waitFor('the adopted postmaster reported gone', async () => exits.length > 0, EVENT_DEADLINE_MS);
      expect(exits[0]).toEqual({ pid, expected: false });
    } finally {
      await controller.close();
    }
  });

  it('postmaster.pid replaced or removed: the next look names the new postmaster, or none', async () => {
    const pidFile = new PostmasterPidCache(a.config.data_dir);
    expect(await a.controller.start({ role: 'primary' })).toEqual({ ok: true });
    const first = pidOf(a.controller);
    expect((await pidFile.findLive())?.pid).toBe(first);
    expect((await pidFile.findLive())?.pid).toBe(first); // unchanged: kept
    // Restarted between two looks: the next one reads the new file.
    expect(await a.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await a.controller.start({ role: 'primary' })).toEqual({ ok: true });
    const second = pidOf(a.controller);
    expect(second).not.toBe(first);
    const live = await pidFile.findLive();
    expect(live?.pid).toBe(second);
    expect(live?.startedAtMs).toBeGreaterThan(0);
    expect(await a.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await pidFile.findLive()).toBeNull();
    expect(await a.controller.start({ role: 'primary' })).toEqual({ ok: true });
  });

  it('the data directory swapped for another cluster: the next look reports the other system identifier', async () => {
    const before = await a.controller.dataDirState();
    if (before.kind !== 'valid') throw new Error(`expected a valid data dir, got ${before.kind}`);
    expect(await a.controller.dataDirState()).toEqual(before); // unchanged: kept
    expect(await b.controller.bootstrap()).toEqual({ ok: true });
    const other = await b.controller.dataDirState();
    if (other.kind !== 'valid') throw new Error(`expected a valid data dir, got ${other.kind}`);
    expect(other.sysid).not.toBe(before.sysid);
    expect(await a.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await b.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });

    // Behind the controller's back: a's directory goes, b's cluster takes its path.
    renameSync(a.config.data_dir, `${a.config.data_dir}.old`);
    expect((await a.controller.dataDirState()).kind).toBe('empty');
    renameSync(b.config.data_dir, a.config.data_dir);
    expect(await a.controller.dataDirState()).toEqual(other);

    // PG_VERSION removed inside a directory whose other files stay: no longer valid.
    renameSync(`${a.config.data_dir}/PG_VERSION`, `${a.config.data_dir}/PG_VERSION.x`);
    expect((await a.controller.dataDirState()).kind).toBe('invalid');
    renameSync(`${a.config.data_dir}/PG_VERSION.x`, `${a.config.data_dir}/PG_VERSION`);
    expect(await a.controller.dataDirState()).toEqual(other);

    // Put both back where their controllers expect them, for the teardown.
    renameSync(a.config.data_dir, b.config.data_dir);
    renameSync(`${a.config.data_dir}.old`, a.config.data_dir);
    expect(await a.controller.dataDirState()).toEqual(before);
  });
});
