/**
 * Regression: when a stop times out, the controller SIGKILLs the postmaster's process
 * group — but Postgres children call setsid(), so they are not in it, and backends,
 * checkpointer and walwriter outlived the kill. Every child must be gone when stop()
 * returns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { makeNode, type Node } from './helpers.js';

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(state);
  } catch {
    return false;
  }
}

describe('LocalPostgresController.stop escalation', () => {
  let sandbox: PostgresSandbox;
  let node: Node;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-escalate-' });
    node = await makeNode(sandbox, 'stuck', {});
  });

  afterAll(async () => {
    await node?.controller.close();
    const left = sandbox?.livePostmasters() ?? [];
    sandbox?.cleanup();
    expect(left).toEqual([]);
  });

  it('kills every child of a postmaster that does not stop in time', async () => {
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
    const pid = node.controller.status().postmasterPid!;
    const children = childrenOf(pid);
    expect(children.length).toBeGreaterThan(2); // checkpointer, walwriter, …
    process.kill(pid, 'SIGSTOP'); // a postmaster that cannot act on the fast-stop signal
    const result = await node.controller.stop('fast', { timeoutMs: 1500, checkpoint: false });
    expect(result).toEqual({ ok: true });
    expect(alive(pid)).toBe(false);
    expect(children.filter(alive)).toEqual([]);
  });
});
