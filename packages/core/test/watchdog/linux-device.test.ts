/**
 * The Linux device driver against a real FIFO (no softdog here), as Patroni's own tests
 * use one: the reader sees each keepalive "1" and the magic "V" on close.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxWatchdogDevice, WatchdogError, WDIOF_MAGICCLOSE } from '../../src/index.js';
import { fakeSysfs, makeFifo, readFifo, tempDir, type FifoReader } from './fifo.js';

describe('LinuxWatchdogDevice', () => {
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  let reader: FifoReader | null = null;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    fifo = makeFifo(join(dir, 'watchdog'));
  });
  afterEach(() => {
    reader?.close();
    reader = null;
    cleanup();
  });

  it('opens the device, writes "1" per keepalive and "V" before closing', async () => {
    reader = readFifo(fifo);
    const device = new LinuxWatchdogDevice(fifo, { sysfsDir: null });
    expect(device.isHealthy).toBe(true);
    expect(device.isRunning).toBe(false);
    device.open();
    expect(device.isRunning).toBe(true);
    device.keepalive();
    device.keepalive();
    device.keepalive();
    await reader.waitFor('111');
    device.close();
    expect(device.isRunning).toBe(false);
    expect(await reader.waitFor('V')).toBe('111V');
    // Closing twice is harmless; a closed device cannot be fed.
    device.close();
    expect(() => device.keepalive()).toThrow('Watchdog device is closed');
  });

  it('never blocks on a FIFO nobody reads: open fails at once with ENXIO', () => {
    const device = new LinuxWatchdogDevice(fifo, { sysfsDir: null });
    const started = Date.now();
    expect(() => device.open()).toThrow(WatchdogError);
    expect(() => device.open()).toThrow(/Can't open watchdog device .*ENXIO/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(device.isRunning).toBe(false);
  });

  it('a keepalive whose reader went away fails with an error instead of blocking or killing the agent', () => {
    reader = readFifo(fifo);
    const device = new LinuxWatchdogDevice(fifo, { sysfsDir: null });
    device.open();
    reader.close();
    reader = null;
    expect(() => device.keepalive()).toThrow(/Could not send watchdog keepalive: .*EPIPE/);
    expect(() => device.close()).toThrow(/Error while closing/);
    expect(device.isRunning).toBe(false);
  });

  it('a missing or read-only device is not healthy, and open says which path failed', () => {
    const missing = new LinuxWatchdogDevice(join(dir, 'nope'), { sysfsDir: null });
    expect(missing.isHealthy).toBe(false);
    expect(() => missing.open()).toThrow(`Can't open watchdog device ${join(dir, 'nope')}: ENOENT`);
  });

  it('cannot set the timeout (no ioctl in Node.js); reads it, the flags and the identity from sysfs', () => {
    const sys = join(dir, 'sys');
    mkdirSync(sys);
    fakeSysfs(sys, { timeout: 25, options: 0x8180, identity: 'Software Watchdog', nowayout: false });
    reader = readFifo(fifo);
    const device = new LinuxWatchdogDevice(fifo, { sysfsDir: sys });
    expect(device.hasSetTimeout()).toBe(false);
    expect(() => device.setTimeout(25)).toThrow('not possible from Node.js (no ioctl)');
    device.open();
    expect(device.getTimeout()).toBe(25);
    expect(device.canBeDisabled).toBe(true);
    expect(device.describe()).toBe(`Software Watchdog at ${fifo}`);
    device.close();
  });

  it('without magic close, or with nowayout, the device cannot be disabled', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    fakeSysfs(a, { timeout: 25, options: 0x8080 & ~WDIOF_MAGICCLOSE });
    fakeSysfs(b, { timeout: 25, options: 0x8180, nowayout: true });
    expect(new LinuxWatchdogDevice(fifo, { sysfsDir: a }).canBeDisabled).toBe(false);
    expect(new LinuxWatchdogDevice(fifo, { sysfsDir: b }).canBeDisabled).toBe(false);
    // Nothing known: "V" is still written on close, as every in-tree driver honours it.
    expect(new LinuxWatchdogDevice(fifo, { sysfsDir: null }).canBeDisabled).toBe(true);
    expect(new LinuxWatchdogDevice(fifo, { sysfsDir: null }).getTimeout()).toBeNull();
  });

  it('finds no sysfs attributes for something that is not a character device', () => {
    // Default lookup (from the device number): a FIFO has none, so the timeout is unknown.
    expect(new LinuxWatchdogDevice(fifo).getTimeout()).toBeNull();
  });
});
