/**
 * Regression (a CI run of the consul e2e): the HA loop and the REST API ask isRunning()
 * while a start() is under way. An isRunning() that found no watch, read postmaster.pid
 * and only then adopted the new postmaster replaced the watch start() was waiting on;
 * start() read that as "postgres exited while starting" and failed a start that worked,
 * leaving a replica running that the agent believed had failed to clone. It needs the
 * agent's file reads to be slow (a loaded machine): busy libuv threads make them so here.
 */
import { pbkdf2 } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node, stopAndClean } from './helpers.js';

describe('LocalPostgresController.start while isRunning() is polled', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-startpoll-' });
    node = await makeNode(sandbox, 'polled', {});
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  it('a start succeeds however often isRunning() runs beside it', async () => {
    for (let round = 0; round < 5; round++) {
      expect(await node.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
      let done = false;
      const started = node.controller.start({ role: 'primary' }).finally(() => (done = true));
      // Keep the thread pool busy, so start()'s /proc read lags behind Postgres writing
      // postmaster.pid, as on a loaded machine.
      const busy = Array.from({ length: 8 }, async () => {
        while (!done) await new Promise((r) => pbkdf2('x', 'y', 20_000, 32, 'sha256', r));
      });
      // Many overlapping calls, as a loop cycle and API requests would make.
      const pollers = Array.from({ length: 4 }, async () => {
        while (!done) {
          await node.controller.isRunning();
          await new Promise((r) => setImmediate(r));
        }
      });
      expect(await started, `round ${round}`).toEqual({ ok: true });
      await Promise.all([...pollers, ...busy]);
      expect(await node.controller.isRunning()).toBe(true);
      expect(node.controller.status().postmasterPid).not.toBeNull();
    }
  });
});
