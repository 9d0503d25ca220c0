/**
 * Regression (found by the demo): single-user crash recovery ran without the forced
 * command-line parameters, so the end-of-recovery checkpoint wrote wal_log_hints=off
 * into pg_control and pg_rewind then refused the old primary ("needs wal_log_hints=on
 * or data checksums"). Crash recovery must run with the postmaster's parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node, stopAndClean, waitFor } from './helpers.js';

describe('LocalPostgresController.crashRecovery', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-crash-' });
    node = await makeNode(sandbox, 'crashy', { shared_buffers: '16MB' });
  });

  afterAll(async () => {
    await stopAndClean(sandbox, node);
  });

  it('keeps wal_log_hints in pg_control after recovering a killed primary, so pg_rewind stays possible', async () => {
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    expect(await node.controller.postBootstrap()).toEqual({ ok: true });
    const before = await node.controller.controlData();
    expect(before.ok && before.value.walLogHints).toBe(true);

    const pid = node.controller.status().postmasterPid!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the postmaster to die', async () => !(await node.controller.isRunning()));
    const crashed = await node.controller.controlData();
    expect(crashed.ok && crashed.value.clusterState).toBe('in production');

    expect(await node.controller.crashRecovery()).toEqual({ ok: true });
    const after = await node.controller.controlData();
    if (!after.ok) throw new Error(after.message);
    expect(after.value.clusterState).toBe('shut down');
    expect(after.value.walLogHints).toBe(true);
    expect(await node.controller.canRewind()).toEqual({ ok: true });
  });
});
