/**
 * A FIFO standing in for /dev/watchdog, as in Patroni's tests, and a reader that keeps
 * everything written to it. The reader opens the FIFO read-write and non-blocking: it
 * never waits for a writer and never sees end-of-file when one closes, so it can watch
 * the device being opened, fed, closed and opened again.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FifoReader {
  /** Everything read so far. */
  text(): string;
  /** Resolves once the text read so far contains `needle` (deadline `ms`). */
  waitFor(needle: string, ms?: number): Promise<string>;
  close(): void;
}

export function tempDir(prefix = 'pgwarden-watchdog-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

export function readFifo(path: string): FifoReader {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  let text = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of [...waiters]) w();
  });
  return {
    text: () => text,
    waitFor(needle, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!text.includes(needle)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(text);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the FIFO reader did not see ${JSON.stringify(needle)} within ${ms} ms; it saw ${JSON.stringify(text)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => socket.destroy(),
  };
}

/** A directory shaped like /sys/class/watchdog/watchdogN. */
export function fakeSysfs(dir: string, attrs: { timeout?: number; options?: number; identity?: string; nowayout?: boolean }): string {
  if (attrs.timeout !== undefined) writeFileSync(join(dir, 'timeout'), `${attrs.timeout}\n`);
  if (attrs.options !== undefined) writeFileSync(join(dir, 'options'), `0x${attrs.options.toString(16)}\n`);
  if (attrs.identity !== undefined) writeFileSync(join(dir, 'identity'), `${attrs.identity}\n`);
  if (attrs.nowayout !== undefined) writeFileSync(join(dir, 'nowayout'), attrs.nowayout ? '1\n' : '0\n');
  return dir;
}
