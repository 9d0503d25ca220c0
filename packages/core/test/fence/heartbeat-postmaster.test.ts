/**
 * Each heartbeat names the postmaster the guard may stop. The fence reads postmaster.pid
 * again only when the file changed, so a restarted postmaster must still be the one the
 * next heartbeat names (PID and start time), and a stopped one must leave the guard
 * disarmed rather than pointed at a PID that is gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { Fence } from '../../src/fence/index.js';
import { MemoryLogger } from '../../src/index.js';
import { readProcSync } from '../../src/postgres/local/proc.js';
import { systemClock } from '../../src/time/clock.js';
import { makeNode, stopAndClean, type Node } from '../postgres/helpers.js';

describe('fence heartbeat: the postmaster named is the one running now', () => {
  let sandbox: PostgresSandbox;
  let node: Node;
  let fence: Fence;
  let stateFile = '';

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-fencehb-' });
    node = await makeNode(sandbox, 'fencehb', {}, { use_slots: false });
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    const stateDir = join(sandbox.root, 'fence-hb');
    stateFile = join(stateDir, 'state');
    fence = new Fence({ logger: new MemoryLogger() });
    await fence.start({ dataDir: node.config.data_dir, marginMs: 2000, stateDir });
  }, 60_000);

  afterAll(async () => {
    await fence?.shutdown();
    await stopAndClean(sandbox, node);
  });

  /** The state file's line, as the guard reads it. */
  const line = (): string[] => readFileSync(stateFile, 'utf8').trim().split(' ');

  function running(): { pid: number; ticks: number } {
    const pid = node.controller.status().postmasterPid;
    if (pid === null) throw new Error('no postmaster');
    return { pid, ticks: readProcSync(pid)!.startTicks };
  }

  it('names the new postmaster after a restart, and disarms when none runs', async () => {
    const heartbeat = (): Promise<void> => fence.arm(systemClock.now() + 60_000);
    const first = running();
    await heartbeat();
    expect(line().slice(0, 1).concat(line().slice(2, 4))).toEqual(['armed', String(first.pid), String(first.ticks)]);
    await heartbeat(); // postmaster.pid unchanged: the same postmaster
    expect(line().slice(2, 4)).toEqual([String(first.pid), String(first.ticks)]);

    // Restarted between two heartbeats: the next one must see the new file.
    await fence.disarm('restart');
    expect(await node.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await node.controller.start({ role: 'primary' })).toEqual({ ok: true });
    const second = running();
    expect(second.pid).not.toBe(first.pid);
    await heartbeat();
    expect(line().slice(0, 1).concat(line().slice(2, 4))).toEqual(['armed', String(second.pid), String(second.ticks)]);

    await fence.disarm('stop');
    expect(await node.controller.stop('fast', { timeoutMs: 20_000 })).toEqual({ ok: true });
    await heartbeat(); // nothing runs: nothing to guard
    expect(line()[0]).toBe('disarmed');
    expect(fence.state().armed).toBe(false);
  });
});
