/**
 * The Watchdog facade (activation rules of spec/ha.md §3.11) over real devices: a FIFO
 * with a reader for the Linux driver and Patroni's `testing` driver, and a fake sysfs
 * directory standing in for the kernel's timeout report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxWatchdogDevice, MemoryLogger, Watchdog, type WatchdogSettings } from '../../src/index.js';
import { fakeSysfs, makeFifo, readFifo, tempDir, type FifoReader } from './fifo.js';

const T = { ttl: 30, loopWait: 10 };

describe('Watchdog', () => {
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  let reader: FifoReader | null = null;
  let logger: MemoryLogger;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    fifo = makeFifo(join(dir, 'watchdog'));
    logger = new MemoryLogger();
  });
  afterEach(() => {
    reader?.close();
    reader = null;
    cleanup();
  });

  const settings = (s: Partial<WatchdogSettings> = {}): WatchdogSettings => ({ mode: 'automatic', device: fifo, safetyMargin: 5, driver: 'default', ...s });
  /** The Linux driver, its sysfs attributes in a directory of ours (null: none). */
  const linux = (s: Partial<WatchdogSettings>, sysfs: { timeout?: number; options?: number } | null) => {
    let sysDir: string | null = null;
    if (sysfs) {
      sysDir = join(dir, `sys-${Math.random().toString(36).slice(2)}`);
      mkdirSync(sysDir);
      fakeSysfs(sysDir, sysfs);
    }
    return new Watchdog(settings(s), { logger, platform: 'linux', makeDevice: (x) => new LinuxWatchdogDevice(x.device, { sysfsDir: sysDir }) });
  };

  it('required: a device whose timeout fits is activated, fed after each call and closed with "V"', async () => {
    reader = readFifo(fifo);
    const w = linux({ mode: 'required' }, { timeout: 25, options: 0x8180 });
    expect(w.isHealthy(T)).toBe(true);
    expect(w.activate(T)).toBe(true);
    expect(w.isRunning()).toBe(true);
    expect(logger.messages('info')).toContain(`Linux watchdog device at ${fifo} activated with 25 second timeout, timing slack 15 seconds`);
    w.keepalive(T);
    w.keepalive(T);
    await reader.waitFor('11');
    w.disable();
    expect(await reader.waitFor('V')).toBe('11V');
    expect(w.isRunning()).toBe(false);
    // Not active: no keepalive reaches the device.
    w.keepalive(T);
    await new Promise((r) => setTimeout(r, 100));
    expect(reader.text()).toBe('11V');
  });

  it('required: a timeout longer than ttl − safety_margin fails activation and closes the device again', async () => {
    reader = readFifo(fifo);
    const w = linux({ mode: 'required' }, { timeout: 60 });
    expect(w.activate(T)).toBe(false);
    expect(w.isRunning()).toBe(false);
    expect(await reader.waitFor('V')).toBe('V');
    expect(logger.messages('error').join('\n')).toContain('a safe watchdog timeout 25 could not be configured. Watchdog timeout is 60');
    // The device is given up until the configuration changes: peers are told (watchdog_failed).
    expect(w.isHealthy(T)).toBe(false);
  });

  it('automatic: a timeout that is too long only warns, and the device runs', () => {
    reader = readFifo(fifo);
    const w = linux({}, { timeout: 60 });
    expect(w.activate(T)).toBe(true);
    expect(w.isRunning()).toBe(true);
    expect(logger.messages('warn')).toContain('Watchdog timeout 60 seconds does not ensure safe termination within 25 seconds');
    w.disable();
  });

  it('an unknown timeout (no ioctl, no sysfs): required fails, automatic warns and feeds the device', async () => {
    reader = readFifo(fifo);
    const required = linux({ mode: 'required' }, null);
    expect(required.activate(T)).toBe(false);
    expect(logger.messages('error').join('\n')).toMatch(/timeout of .* is unknown: Node.js cannot set or query it \(no ioctl\)/);
    await reader.waitFor('V');
    const automatic = linux({}, null);
    expect(automatic.activate(T)).toBe(true);
    expect(automatic.isRunning()).toBe(true);
    expect(logger.messages('warn').join('\n')).toContain('it may not ensure safe termination within 25 seconds');
    automatic.keepalive(T);
    automatic.disable();
    expect(await reader.waitFor('V1V')).toBe('V1V');
  });

  it('a device timeout below loop_wait disables the device', async () => {
    reader = readFifo(fifo);
    const w = linux({ mode: 'required' }, { timeout: 5, options: 0x8180 });
    expect(w.activate(T)).toBe(false);
    expect(logger.messages('error')).toContain('loop_wait of 10 seconds is too long for watchdog 5 second timeout');
    expect(await reader.waitFor('V')).toBe('V');
    const auto = linux({}, { timeout: 5, options: 0x8180 });
    expect(auto.activate(T)).toBe(true);
    expect(auto.isRunning()).toBe(false);
  });

  it('required with a missing device: unhealthy before activation, activation fails naming watchdog.device', () => {
    const missing = join(dir, 'missing');
    const w = linux({ mode: 'required', device: missing }, { timeout: 25 });
    expect(w.isHealthy(T)).toBe(false);
    expect(w.activate(T)).toBe(false);
    expect(logger.messages('warn').join('\n')).toContain(`Can't open watchdog device ${missing}: ENOENT`);
    expect(logger.messages('error')).toContain(`Configuration requires watchdog, but watchdog could not be configured: check watchdog.device (${missing})`);
  });

  it('automatic with a missing device: healthy, activation succeeds without a device, warned once', () => {
    const w = linux({ device: join(dir, 'missing') }, null);
    expect(w.isHealthy(T)).toBe(true);
    expect(w.activate(T)).toBe(true);
    expect(w.isRunning()).toBe(false);
    w.disable();
    expect(w.activate(T)).toBe(true);
    expect(logger.messages('warn').filter((m) => m.startsWith('Could not activate'))).toHaveLength(1);
  });

  it('negative slack (ttl too short for loop_wait) makes required unhealthy and unusable', () => {
    reader = readFifo(fifo);
    const timing = { ttl: 20, loopWait: 15 };
    const w = linux({ mode: 'required', safetyMargin: 10 }, { timeout: 10 });
    expect(w.isHealthy(timing)).toBe(false);
    expect(w.activate(timing)).toBe(false);
    expect(logger.messages('warn')).toContain('Watchdog not supported because leader TTL 20 is less than 2x loop_wait 15');
  });

  it('mode off never touches the device', () => {
    const w = linux({ mode: 'off' }, { timeout: 25 });
    expect(w.activate(T)).toBe(true);
    expect(w.isRunning()).toBe(false);
    expect(w.isHealthy(T)).toBe(true);
  });

  it('a device that cannot be disabled is fed once more on disable, with a warning', async () => {
    reader = readFifo(fifo);
    const w = linux({}, { timeout: 25, options: 0x8080 });
    expect(w.activate(T)).toBe(true);
    expect(logger.messages('warn').join('\n')).toContain("Watchdog implementation can't be disabled");
    w.disable();
    expect(await reader.waitFor('1V')).toBe('1V');
    expect(logger.messages('warn').join('\n')).toContain('System will reboot after 25 seconds when watchdog times out.');
  });

  it('driver testing (Patroni harness): the timeout is written to the FIFO and follows ttl changes at the next keepalive', async () => {
    reader = readFifo(fifo);
    const w = new Watchdog(settings({ mode: 'required', driver: 'testing' }), { logger, platform: 'linux' });
    expect(w.activate(T)).toBe(true);
    await reader.waitFor('Ctimeout=25\n');
    w.keepalive(T);
    w.keepalive({ ttl: 40, loopWait: 10 });
    await reader.waitFor('Ctimeout=35\n');
    w.disable();
    expect(await reader.waitFor('V')).toBe('Ctimeout=25\n11Ctimeout=35\nV');
  });

  it('reload: turning the watchdog off closes a running device at once', async () => {
    reader = readFifo(fifo);
    const w = new Watchdog(settings({ driver: 'testing' }), { logger, platform: 'linux' });
    w.activate(T);
    w.reload(settings({ mode: 'off', driver: 'testing' }));
    expect(await reader.waitFor('V')).toBe('Ctimeout=25\nV');
    expect(w.isRunning()).toBe(false);
    expect(w.mode).toBe('off');
  });

  it('reload to another device while active: switched at the next keepalive', async () => {
    reader = readFifo(fifo);
    const second = makeFifo(join(dir, 'watchdog2'));
    const reader2 = readFifo(second);
    try {
      const w = new Watchdog(settings({ driver: 'testing' }), { logger, platform: 'linux' });
      w.activate(T);
      await reader.waitFor('Ctimeout=25\n');
      w.reload(settings({ driver: 'testing', device: second }));
      await new Promise((r) => setTimeout(r, 100));
      expect(reader.text()).toBe('Ctimeout=25\n');
      w.keepalive(T);
      expect(await reader.waitFor('1V')).toBe('Ctimeout=25\n1V');
      expect(await reader2.waitFor('Ctimeout=25\n')).toBe('Ctimeout=25\n');
      w.disable();
      await reader2.waitFor('V');
    } finally {
      reader2.close();
    }
  });
});
