/**
 * Patroni's `driver: testing` (watchdog/linux.py TestingWatchdogDevice): a FIFO stands in
 * for the device, and the timeout a real device would get by ioctl is written to it as
 * `Ctimeout=<n>\n`, so a reader sees keepalives, timeout changes and the magic close.
 * It claims magic close and a settable timeout, so `required` mode can be tested with it.
 */
import { writeSync } from 'node:fs';
import { WatchdogError } from './device.js';
import { LinuxWatchdogDevice } from './linux-device.js';

export class TestingWatchdogDevice extends LinuxWatchdogDevice {
  private timeout = 60;

  constructor(device: string) {
    super(device, { sysfsDir: null });
  }

  override get canBeDisabled(): boolean {
    return true;
  }

  override getTimeout(): number {
    return this.timeout;
  }

  override hasSetTimeout(): boolean {
    return true;
  }

  override setTimeout(seconds: number): void {
    if (this.fd === null) throw new WatchdogError('Watchdog device is closed');
    try {
      writeSync(this.fd, `Ctimeout=${seconds}\n`);
    } catch (error) {
      throw new WatchdogError(`Could not set timeout on ${this.describe()}: ${(error as Error).message}`);
    }
    this.timeout = seconds;
  }

  override describe(): string {
    return `Watchdog test harness at ${this.device}`;
  }
}
