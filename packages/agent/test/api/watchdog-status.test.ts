/**
 * The daemon's watchdog driver and what peers read from `/patroni`: `required` with an
 * unusable device serves `watchdog_failed: true` (and peers parse it as "not watchdog
 * capable"); `required` where no watchdog can exist refuses to start; a FIFO device
 * (Patroni's `testing` driver) sees the timeout, the keepalives and the magic close.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failoverLimitation, MemoryLogger, parsePeerStatus, type WatchdogSettings } from '@pgwarden/core';
import { DaemonStartError } from '../../src/daemon/errors.js';
import { createWatchdog } from '../../src/daemon/watchdog-driver.js';
import { replica } from './fixtures.js';
import { startApi, type Api } from './harness.js';

const T = { ttl: 30, loopWait: 10 };

let api: Api | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgwarden-wd-'));
});
afterEach(async () => {
  await api?.server.close();
  api = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const config = (w: Partial<WatchdogSettings>) => ({ watchdog: { mode: 'required', device: join(dir, 'missing'), safetyMargin: 5, driver: 'default', ...w } as WatchdogSettings });

describe('the daemon watchdog driver', () => {
  it('required where no watchdog driver exists: the agent does not start, and the message names the key', () => {
    expect(() => createWatchdog(config({}), () => T, new MemoryLogger(), 'darwin')).toThrow(DaemonStartError);
    expect(() => createWatchdog(config({}), () => T, new MemoryLogger(), 'darwin')).toThrow(/watchdog\.mode is required, but there is no watchdog driver on darwin/);
  });

  it('required with a missing device: starts, says so naming watchdog.device, and /patroni reports watchdog_failed', async () => {
    const logger = new MemoryLogger();
    const watchdog = createWatchdog(config({}), () => T, logger, 'linux');
    expect(logger.messages('error').join('\n')).toContain(`watchdog.device ${join(dir, 'missing')} is not usable`);
    api = await startApi(replica({ watchdogFailed: !watchdog.isHealthy(T) }));
    const body = (await (await fetch(`${api.url}/patroni`)).json()) as Record<string, unknown>;
    expect(body['watchdog_failed']).toBe(true);
    // What a peer in the leader race makes of that answer.
    expect(failoverLimitation(parsePeerStatus('node2', body))).toBe('not watchdog capable');
  });

  it('automatic with a missing device: nothing to report', async () => {
    const watchdog = createWatchdog(config({ mode: 'automatic' }), () => T, new MemoryLogger(), 'linux');
    api = await startApi(replica({ watchdogFailed: !watchdog.isHealthy(T) }));
    const body = (await (await fetch(`${api.url}/patroni`)).json()) as Record<string, unknown>;
    expect('watchdog_failed' in body).toBe(false);
  });

  it('drives a FIFO device: timeout, keepalives, magic close', async () => {
    const fifo = join(dir, 'watchdog');
    execFileSync('mkfifo', [fifo]);
    // Read-write and non-blocking: the reader never waits for, nor sees the end of, a writer.
    const socket = new Socket({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
    let seen = '';
    socket.on('data', (b: Buffer) => (seen += b.toString()));
    try {
      const watchdog = createWatchdog(config({ device: fifo, driver: 'testing' }), () => T, new MemoryLogger(), 'linux');
      expect(watchdog.isHealthy(T)).toBe(true);
      expect(watchdog.activate(T)).toBe(true);
      watchdog.keepalive(T);
      watchdog.disable();
      const deadline = Date.now() + 10_000;
      while (!seen.endsWith('V') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toBe('Ctimeout=25\n1V');
    } finally {
      socket.destroy();
    }
  });
});
