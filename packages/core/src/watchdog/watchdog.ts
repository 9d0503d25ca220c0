/**
 * The watchdog as the HA engine uses it (Patroni's watchdog/base.py Watchdog facade):
 * activated before promotion and after bootstrap, fed after each lock renewal, disabled
 * when this node stops being a primary with the lock. A device that cannot be activated
 * is replaced by the null device, and activation is retried only when the configuration
 * changes, so a missing device in `automatic` mode costs one warning, not one per cycle.
 *
 * `required` means: never lead without a device that is known to fire in time. It fails
 * activation when the device cannot be opened, when its timeout is longer than
 * ttl − safety_margin, or — unlike Patroni, because Node.js cannot query or set it —
 * when its timeout cannot be read at all. On such a failure the device is closed again
 * (Patroni leaves it open, and the host would be reset once the node has stepped back).
 */
import type { Logger } from '../logger.js';
import { NullWatchdogDevice, WatchdogError, type WatchdogDevice } from './device.js';
import { LinuxWatchdogDevice } from './linux-device.js';
import { timingSlack, watchdogTimeout, type WatchdogSettings, type WatchdogTiming } from './settings.js';
import { TestingWatchdogDevice } from './testing-device.js';

export interface WatchdogOptions {
  readonly logger: Logger;
  /** `process.platform`; only Linux has the device. */
  readonly platform?: string;
  /** Builds the device for `settings` (tests); default: by driver and platform. */
  readonly makeDevice?: (settings: WatchdogSettings) => WatchdogDevice;
}

/** Patroni's get_impl: the Linux device on Linux with the default driver, else none. */
export function defaultWatchdogDevice(settings: WatchdogSettings, platform: string = process.platform): WatchdogDevice {
  if (settings.driver === 'testing') return new TestingWatchdogDevice(settings.device);
  if (platform === 'linux' && settings.driver === 'default') return new LinuxWatchdogDevice(settings.device);
  return new NullWatchdogDevice();
}

/**
 * Why the agent must not start (Patroni exits 1): `required` where no watchdog driver
 * exists at all. A Linux host whose device is missing is not a start failure in Patroni:
 * the node runs, never leads and reports `watchdog_failed`.
 */
export function watchdogStartupProblem(settings: WatchdogSettings, platform: string = process.platform): string | null {
  if (settings.mode !== 'required') return null;
  if (!defaultWatchdogDevice(settings, platform).isNull) return null;
  const why = settings.driver !== 'default' && settings.driver !== 'testing' ? `watchdog.driver ${settings.driver} is unknown` : `there is no watchdog driver on ${platform}`;
  return `watchdog.mode is required, but ${why}; use a Linux host with a watchdog device at watchdog.device, or set watchdog.mode: automatic or off`;
}

function sameDevice(a: WatchdogSettings, b: WatchdogSettings): boolean {
  return a.driver === b.driver && a.device === b.device;
}

export class Watchdog {
  private settings: WatchdogSettings;
  /** The settings the running device was configured with; newer ones wait for a keepalive. */
  private activeSettings: WatchdogSettings;
  private activeTimeout: number | null = null;
  private impl: WatchdogDevice;
  private active = false;
  private readonly logger: Logger;
  private readonly makeDevice: (settings: WatchdogSettings) => WatchdogDevice;

  constructor(settings: WatchdogSettings, options: WatchdogOptions) {
    this.logger = options.logger;
    const platform = options.platform ?? process.platform;
    this.makeDevice = options.makeDevice ?? ((s) => defaultWatchdogDevice(s, platform));
    this.settings = settings;
    this.activeSettings = settings;
    this.impl = settings.mode === 'off' ? new NullWatchdogDevice() : this.makeDevice(settings);
  }

  get mode(): WatchdogSettings['mode'] {
    return this.settings.mode;
  }

  /** The device is open and will fire unless fed. */
  isRunning(): boolean {
    return this.impl.isRunning;
  }

  /**
   * False only in `required` mode when leading would fail: the timing leaves no slack or
   * the device is known unusable. `/patroni` reports the opposite as `watchdog_failed`.
   */
  isHealthy(timing: WatchdogTiming): boolean {
    if (this.settings.mode !== 'required') return true;
    return timingSlack(this.settings, timing) >= 0 && this.impl.isHealthy;
  }

  /** New local settings (SIGHUP). Turning the watchdog off is immediate; other changes wait for the next keepalive. */
  reload(settings: WatchdogSettings): void {
    const previous = this.settings;
    this.settings = settings;
    if (settings.mode === 'off') {
      if (this.active) this.closeDevice();
      this.activeSettings = settings;
      this.impl = new NullWatchdogDevice();
    }
    if (!this.active) {
      if (!sameDevice(settings, this.activeSettings) || (previous.mode === 'off' && settings.mode !== 'off')) {
        this.impl = settings.mode === 'off' ? new NullWatchdogDevice() : this.makeDevice(settings);
      }
      this.activeSettings = settings;
    }
  }

  /**
   * Opens and configures the device. While active, keepalive() must follow every
   * loop_wait. False when a safe watchdog is required but could not be set up.
   */
  activate(timing: WatchdogTiming): boolean {
    this.active = true;
    return this.doActivate(timing);
  }

  private doActivate(timing: WatchdogTiming): boolean {
    const settings = this.settings;
    this.activeSettings = settings;
    const wanted = watchdogTimeout(settings, timing.ttl);
    const slack = wanted - timing.loopWait;
    if (slack < 0) {
      this.logger.warn(`Watchdog not supported because leader TTL ${timing.ttl} is less than 2x loop_wait ${timing.loopWait}`);
      this.impl = new NullWatchdogDevice();
    }
    let actual: number | null = null;
    try {
      this.impl.open();
      actual = this.configureTimeout(wanted, timing.loopWait);
    } catch (error) {
      this.logger.warn(`Could not activate ${this.impl.describe()}: ${(error as Error).message}`);
      this.closeQuietly();
      this.impl = new NullWatchdogDevice();
    }
    this.activeTimeout = wanted;
    if (this.impl.isRunning && !this.impl.canBeDisabled) {
      this.logger.warn("Watchdog implementation can't be disabled. Watchdog will trigger after the agent loses the leader key.");
    }
    if (!this.impl.isRunning) {
      if (settings.mode !== 'required') return true;
      this.logger.error(`Configuration requires watchdog, but watchdog could not be configured: check watchdog.device (${settings.device})`);
      return false;
    }
    const unsafe = actual === null ? 'unknown' : actual > wanted ? 'too long' : null;
    if (unsafe) {
      const detail =
        actual === null
          ? `the timeout of ${this.impl.describe()} is unknown: Node.js cannot set or query it (no ioctl) and sysfs does not show it`
          : `a safe watchdog timeout ${wanted} could not be configured. Watchdog timeout is ${actual}`;
      if (settings.mode === 'required') {
        this.logger.error(`Configuration requires watchdog, but ${detail}; set the device's timeout to at most ${wanted} s (e.g. the driver's module parameter) or use watchdog.mode: automatic`);
        this.closeQuietly();
        this.impl = new NullWatchdogDevice();
        return false;
      }
      this.logger.warn(
        actual === null
          ? `Watchdog timeout is unknown (${detail}); it may not ensure safe termination within ${wanted} seconds`
          : `Watchdog timeout ${actual} seconds does not ensure safe termination within ${wanted} seconds`,
      );
    }
    this.logger.info(`${this.impl.describe()} activated with ${actual ?? 'unknown'} second timeout, timing slack ${slack} seconds`);
    return true;
  }

  /** Sets the timeout where the device allows it, then checks what is in force. */
  private configureTimeout(wanted: number, loopWait: number): number | null {
    if (this.impl.hasSetTimeout()) {
      if (!(wanted > 0 && wanted < 0xffff)) throw new WatchdogError(`Invalid timeout ${wanted}. Supported values are between 1 and 65535`);
      this.impl.setTimeout(wanted);
    }
    const actual = this.impl.getTimeout();
    if (actual !== null && actual < loopWait) {
      this.logger.error(`loop_wait of ${loopWait} seconds is too long for watchdog ${actual} second timeout`);
      if (this.impl.canBeDisabled) {
        this.logger.info('Disabling watchdog due to unsafe timeout.');
        this.impl.close();
        this.impl = new NullWatchdogDevice();
        return null;
      }
    }
    return actual;
  }

  /** Demotion, pause, restart as a replica, clean shutdown: stop the timer. */
  disable(): void {
    this.closeDevice();
    this.active = false;
  }

  private closeDevice(): void {
    try {
      if (this.impl.isRunning && !this.impl.canBeDisabled) {
        // Give the operator the full timeout to clean up before the reset.
        this.impl.keepalive();
        const t = this.impl.getTimeout();
        this.logger.warn(`Watchdog implementation can't be disabled. System will reboot after ${t ?? 'its'} seconds when watchdog times out.`);
      }
      this.impl.close();
    } catch (error) {
      this.logger.error(`Error while disabling watchdog: ${(error as Error).message}`);
    }
  }

  private closeQuietly(): void {
    try {
      this.impl.close();
    } catch {
      /* the device is being given up anyway */
    }
  }

  /** After each lock renewal (and failsafe-kept cycle); pending configuration changes apply here. */
  keepalive(timing: WatchdogTiming): void {
    if (!this.active) return;
    try {
      this.impl.keepalive();
    } catch (error) {
      this.logger.error(`Error while sending keepalive: ${(error as Error).message}`);
    }
    try {
      this.applyPending(timing);
    } catch (error) {
      this.logger.error(`Error while applying watchdog configuration: ${(error as Error).message}`);
    }
  }

  private applyPending(timing: WatchdogTiming): void {
    const settings = this.settings;
    const wanted = watchdogTimeout(settings, timing.ttl);
    if (settings === this.activeSettings && wanted === this.activeTimeout) return;
    if (settings.mode !== 'off' && this.activeSettings.mode === 'off') {
      this.impl = this.makeDevice(settings);
      this.doActivate(timing);
    } else if (!sameDevice(settings, this.activeSettings)) {
      this.closeDevice();
      this.impl = this.makeDevice(settings);
      this.doActivate(timing);
    } else if (wanted !== this.activeTimeout) {
      if (this.impl.isRunning && this.impl.hasSetTimeout()) {
        this.impl.setTimeout(wanted);
        this.logger.info(`${this.impl.describe()} updated with ${wanted} second timeout, timing slack ${wanted - timing.loopWait} seconds`);
      }
    }
    this.activeSettings = settings;
    this.activeTimeout = wanted;
  }
}
