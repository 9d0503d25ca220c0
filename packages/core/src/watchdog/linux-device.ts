/**
 * The Linux watchdog device (watchdog(4) API, as Patroni's watchdog/linux.py uses it):
 * open for writing arms it, each write of "1" restarts the timer, writing the magic "V"
 * before close stops it.
 *
 * Differences forced by Node.js, which has no ioctl():
 * - the timeout cannot be set; it is read from sysfs (sysfs.ts) when the kernel exposes
 *   it, and is otherwise unknown. The Watchdog facade treats that like Patroni treats a
 *   device without WDIOF_SETTIMEOUT whose timeout is too long: a warning in `automatic`
 *   mode, a failed activation in `required` mode.
 * - support flags (magic close) come from sysfs too; when unknown, closing still writes
 *   "V", which every in-tree driver honours unless the kernel has nowayout.
 *
 * The device is opened O_WRONLY|O_NONBLOCK: a real watchdog ignores O_NONBLOCK, while a
 * FIFO without a reader (a test stand-in, or a wrong `watchdog.device`) fails at once
 * with ENXIO instead of blocking the agent forever, and a full FIFO makes a keepalive
 * fail with EAGAIN instead of blocking. libuv opens with O_CLOEXEC, so Postgres and other
 * children never inherit the descriptor.
 */
import { accessSync, closeSync, constants, openSync, writeSync } from 'node:fs';
import { WatchdogError, type WatchdogDevice } from './device.js';
import { readSysfsInfo, sysfsDirOf, WDIOF_MAGICCLOSE, type WatchdogSysfsInfo } from './sysfs.js';

export const DEFAULT_WATCHDOG_DEVICE = '/dev/watchdog';

export interface LinuxWatchdogOptions {
  /**
   * Where the device's sysfs attributes are; undefined = find them from the device
   * number, null = none. Tests point it at a directory of plain files.
   */
  readonly sysfsDir?: string | null;
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENXIO') return 'ENXIO: nothing reads it (a FIFO without a reader?)';
  return e?.message ?? String(error);
}

export class LinuxWatchdogDevice implements WatchdogDevice {
  readonly isNull = false;
  protected fd: number | null = null;
  private info: WatchdogSysfsInfo | null = null;

  constructor(
    readonly device: string,
    private readonly options: LinuxWatchdogOptions = {},
  ) {}

  get isRunning(): boolean {
    return this.fd !== null;
  }

  get isHealthy(): boolean {
    try {
      accessSync(this.device, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  get canBeDisabled(): boolean {
    const info = this.support();
    if (info.nowayout) return false;
    return info.options === null ? true : (info.options & WDIOF_MAGICCLOSE) !== 0;
  }

  open(): void {
    try {
      this.fd = openSync(this.device, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new WatchdogError(`Can't open watchdog device ${this.device}: ${errorText(error)}`);
    }
    this.info = null;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    try {
      writeSync(fd, 'V');
    } catch (error) {
      throw new WatchdogError(`Error while closing ${this.describe()}: ${errorText(error)}`);
    } finally {
      // The descriptor goes even when the magic write failed: a later open must start clean.
      this.fd = null;
      try {
        closeSync(fd);
      } catch {
        /* already gone */
      }
    }
  }

  keepalive(): void {
    if (this.fd === null) throw new WatchdogError('Watchdog device is closed');
    try {
      writeSync(this.fd, '1');
    } catch (error) {
      throw new WatchdogError(`Could not send watchdog keepalive: ${errorText(error)}`);
    }
  }

  getTimeout(): number | null {
    return this.support().timeout;
  }

  /** Node.js cannot issue WDIOC_SETTIMEOUT. */
  hasSetTimeout(): boolean {
    return false;
  }

  setTimeout(seconds: number): void {
    throw new WatchdogError(`Setting the timeout (${seconds} s) is not possible from Node.js (no ioctl) on ${this.describe()}`);
  }

  describe(): string {
    const info = this.fd === null ? null : this.support();
    const identity = info?.identity ?? 'Linux watchdog device';
    return this.device === DEFAULT_WATCHDOG_DEVICE ? identity : `${identity} at ${this.device}`;
  }

  private support(): WatchdogSysfsInfo {
    if (!this.info) {
      const dir = this.options.sysfsDir === undefined ? sysfsDirOf(this.device) : this.options.sysfsDir;
      this.info = readSysfsInfo(dir);
    }
    return this.info;
  }
}
