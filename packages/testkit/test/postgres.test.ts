import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort, lookupOsUser, PostgresSandbox, postmasterPidOf } from '../src/postgres.js';

describe('PostgresSandbox', () => {
  it('prepares a data dir the postgres user owns and kills its postmaster at cleanup', async () => {
    const sandbox = new PostgresSandbox();
    const dataDir = sandbox.dataDirPath('data');
    if (process.getuid?.() === 0) {
      expect(sandbox.runAs?.uid).toBe(lookupOsUser('postgres')?.uid);
      expect(statSync(sandbox.root).uid).toBe(sandbox.runAs?.uid);
    }
    sandbox.runSync('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres']);
    const sock = sandbox.mkdir('sock', 0o755);
    const port = await freeLoopbackPort();
    const child = spawn(join(sandbox.binDir, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', sock, '-c', 'listen_addresses=', '-c', 'fsync=off'], {
      detached: true,
      stdio: 'ignore',
      cwd: sandbox.homeDir,
      ...(sandbox.runAs ? { uid: sandbox.runAs.uid, gid: sandbox.runAs.gid } : {}),
    });
    child.unref();
    const until = Date.now() + 20_000;
    while (postmasterPidOf(dataDir) === null && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const pid = postmasterPidOf(dataDir);
    expect(pid).toBe(child.pid);
    expect(sandbox.livePostmasters()).toEqual([pid]);
    let children = childrenOf(pid!);
    const forked = Date.now() + 20_000;
    while (children.length < 3 && Date.now() < forked) {
      await new Promise((r) => setTimeout(r, 50));
      children = childrenOf(pid!);
    }
    expect(children.length).toBeGreaterThan(2); // checkpointer, walwriter, …
    // A frozen child (a stopped WAL sender, say) cannot notice its postmaster die, and
    // Postgres children setsid(): killing the postmaster's group alone would miss it.
    process.kill(children[0]!, 'SIGSTOP');
    sandbox.cleanup();
    await new Promise((r) => setTimeout(r, 200));
    expect(children.filter(running)).toEqual([]);
    const gone = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < gone) {
      try {
        process.kill(pid!, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    expect(existsSync(sandbox.root)).toBe(false);
  });
});

function running(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
