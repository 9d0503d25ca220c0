/**
 * postmaster.pid names a postmaster that has exited but that its parent has not reaped
 * yet (a zombie: after an agent restart the parent is PID 1 or a subreaper, which may
 * take seconds). Postgres refuses to start while that PID exists ("lock file already
 * exists"); the controller waits for it to be reaped instead of failing the start, which
 * made a leader give up its lock after a mere postmaster crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PostgresSandbox } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readProc } from '../../src/postgres/local/proc.js';
import { makeNode, sql, type Node } from './helpers.js';

const REAP_AFTER_S = 3;

let sandbox: PostgresSandbox;
let node: Node;
let parent: ChildProcess | undefined;

beforeAll(async () => {
  sandbox = new PostgresSandbox({ prefix: 'pgwarden-unreaped-' });
  node = await makeNode(sandbox, 'unreaped', { shared_buffers: '16MB' }, { use_slots: false });
});

afterAll(async () => {
  parent?.kill('SIGKILL');
  await node?.controller.stop('immediate', { timeoutMs: 10_000 });
  await node?.controller.close();
  sandbox?.cleanup();
});

/** A process whose child exits at once and is reaped only after `seconds`: that child's PID. */
async function zombieReapedAfter(seconds: number): Promise<number> {
  const script = `import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(${seconds})
os.waitpid(pid, 0)
time.sleep(600)`;
  parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: parent!.stdout! }).once('line', resolve);
    parent!.once('error', (e) => reject(new Error(`python3 is needed for this test (apt-get install -y python3): ${e.message}`)));
  });
  return Number(line);
}

it('a start waits until the PID in postmaster.pid is reaped, then starts', async () => {
  expect(await node.controller.bootstrap()).toEqual({ ok: true });
  const pidFile = join(node.config.data_dir, 'postmaster.pid');
  const crashed = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  // A crash: SIGKILL leaves postmaster.pid behind (this process reaps its own child at once).
  process.kill(crashed, 'SIGKILL');
  for (let i = 0; i < 100 && (await node.controller.isRunning()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await node.controller.isRunning()).toBe(false);

  // Now the file names a process that has exited and is not reaped yet.
  const zombie = await zombieReapedAfter(REAP_AFTER_S);
  for (let i = 0; i < 40 && (await readProc(zombie))?.state !== 'Z'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await readProc(zombie))?.state).toBe('Z');
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  lines[0] = String(zombie);
  writeFileSync(pidFile, lines.join('\n'));

  const started = Date.now();
  const result = await node.controller.start({ role: 'primary', timeoutMs: 30_000 });
  expect(result).toEqual({ ok: true });
  // It waited for the reap (give or take the sleep already spent getting here).
  expect(Date.now() - started).toBeGreaterThan((REAP_AFTER_S - 1.5) * 1000);
  expect(await sql(node, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
}, 90_000);

it('a zombie that outlives the deadline fails the start with a message naming it and its parent', async () => {
  expect(await node.controller.stop('immediate')).toEqual({ ok: true });
  parent?.kill('SIGKILL');
  const zombie = await zombieReapedAfter(60);
  for (let i = 0; i < 40 && (await readProc(zombie))?.state !== 'Z'; i++) await new Promise((r) => setTimeout(r, 50));
  const pidFile = join(node.config.data_dir, 'postmaster.pid');
  writeFileSync(pidFile, `${zombie}\n${node.config.data_dir}\n0\n${node.port}\n\n\n`);
  const result = await node.controller.start({ role: 'primary', timeoutMs: 1500 });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.message).toMatch(new RegExp(`postmaster.pid names PID ${zombie}, .*its parent \\(PID ${parent!.pid}\\)`));
  parent?.kill('SIGKILL');
}, 60_000);
