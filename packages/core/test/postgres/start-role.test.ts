/**
 * Regression (found end to end, after a pause): start() took on the requested role only
 * once Postgres accepted connections, so a demoted primary restarting as a replica still
 * said `primary` while it started, the loop demoted it again, and again — hundreds of
 * half-started postmasters a minute. The role must be the requested one from the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node, stopAndClean } from './helpers.js';

describe('LocalPostgresController.start role', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-startrole-' });
    node = await makeNode(sandbox, 'demoted', {});
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  it('reports the requested role while Postgres is still starting', async () => {
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    expect(node.controller.status().role).toBe('primary');
    expect(await node.controller.stop('fast')).toEqual({ ok: true });
    const seen = new Set<string>();
    let done = false;
    const started = node.controller.start({ role: 'replica', upstream: null }).finally(() => (done = true));
    while (!done) {
      const s = node.controller.status();
      if (s.state === 'starting') seen.add(s.role);
      await new Promise((r) => setImmediate(r));
    }
    expect(await started).toEqual({ ok: true });
    expect([...seen]).toEqual(['replica']);
    expect(node.controller.status()).toMatchObject({ state: 'running', role: 'replica' });
  });
});
