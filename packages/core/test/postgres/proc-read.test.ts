/**
 * The postmaster watch reads /proc synchronously (proc.ts readProcSync, to spare an idle
 * agent four thread-pool round trips ten times a second); it must see what the async
 * reader sees, including a process that has exited.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isGone, ProcStatReader, readProc, readProcSync } from '../../src/postgres/local/proc.js';

describe('readProcSync', () => {
  it('reads the same pid, parent, name and start time as readProc', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const sync = readProcSync(child.pid!);
      const async_ = await readProc(child.pid!);
      expect(sync).not.toBeNull();
      // The state may change between the two reads (R while starting, then S).
      expect({ ...sync, state: '' }).toEqual({ ...async_, state: '' });
      expect(sync!.state).toMatch(/^[RS]$/);
      expect(sync!.ppid).toBe(process.pid);
      expect(sync!.comm).toBe('sleep');
      // Started within the last minute, on the same epoch clock as Date.now().
      expect(Math.abs(Date.now() - sync!.startedAtMs)).toBeLessThan(60_000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reports an exited (reaped) process as gone', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await once(child, 'exit');
    expect(isGone(readProcSync(child.pid!))).toBe(true);
  });
});

describe('ProcStatReader', () => {
  it('reads what readProcSync reads while the process lives, and gone once it is reaped', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const reader = ProcStatReader.open(child.pid!);
    try {
      expect(reader).not.toBeNull();
      const held = reader!.read();
      expect({ ...held, state: '' }).toEqual({ ...readProcSync(child.pid!), state: '' });
      expect(held!.comm).toBe('sleep');
      // Read twice through the same open file: each read is of the process as it is now.
      expect(reader!.read()!.startTicks).toBe(held!.startTicks);
      child.kill('SIGKILL');
      await once(child, 'exit');
      // Reaped: the open file no longer answers, whatever process gets the PID next.
      expect(isGone(reader!.read())).toBe(true);
    } finally {
      reader?.close();
      child.kill('SIGKILL');
    }
    expect(reader!.read(), 'closed').toBeNull();
    expect(ProcStatReader.open(child.pid!)).toBeNull();
  });
});
