/**
 * A start whose wait is cancelled (a demotion took over the task) says so, instead of
 * reporting a slow start ("did not accept connections in time"), which sent readers of
 * the log looking for a problem that was not there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node } from './helpers.js';

describe('LocalPostgresController.start, cancelled', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-startcancel-' });
    node = await makeNode(sandbox, 'cancel-a', { shared_buffers: '16MB' }, { use_slots: false });
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    expect(await node.controller.stop('fast')).toEqual({ ok: true });
  });

  afterAll(async () => {
    await node?.controller.stop('immediate', { timeoutMs: 10_000 });
    await node?.controller.close();
    sandbox?.cleanup();
  });

  it('reports a cancelled wait as cancelled, with the postmaster it left running', async () => {
    const r = await node.controller.start({ role: 'primary', signal: AbortSignal.abort(new Error('demoting')) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('aborted');
    expect(r.message).toMatch(/^waiting for postgres to accept connections was cancelled \(pid \d+ left running\)$/);
  });
});
