/**
 * A watchdog device: once opened, it must be fed (keepalive) within its timeout or it
 * resets the host. Operations are synchronous and never wait on a reader or a driver
 * (the Linux device is opened non-blocking), so the HA loop cannot hang in them.
 */
export class WatchdogError extends Error {
  override readonly name = 'WatchdogError';
}

export interface WatchdogDevice {
  /** True for the stand-in used when there is no device (or the watchdog is off). */
  readonly isNull: boolean;
  /** Open and able to fire. */
  readonly isRunning: boolean;
  /** Whether opening is expected to work (the device exists and is writable). */
  readonly isHealthy: boolean;
  /** False when closing will not stop it (no magic close, or the kernel's nowayout). */
  readonly canBeDisabled: boolean;
  /** @throws WatchdogError */
  open(): void;
  /** Stops the timer (magic close) and closes. @throws WatchdogError */
  close(): void;
  /** Restarts the timer. @throws WatchdogError */
  keepalive(): void;
  /** Seconds the device waits before firing; null when that cannot be known. @throws WatchdogError */
  getTimeout(): number | null;
  hasSetTimeout(): boolean;
  /** @throws WatchdogError */
  setTimeout(seconds: number): void;
  /** For log lines. */
  describe(): string;
}

/** No device: every call succeeds and nothing ever fires. */
export class NullWatchdogDevice implements WatchdogDevice {
  readonly isNull = true;
  readonly isRunning = false;
  readonly isHealthy = false;
  readonly canBeDisabled = true;
  open(): void {}
  close(): void {}
  keepalive(): void {}
  getTimeout(): number | null {
    return null;
  }
  hasSetTimeout(): boolean {
    return false;
  }
  setTimeout(): void {
    throw new WatchdogError('Setting timeout is not supported on NullWatchdog');
  }
  describe(): string {
    return 'NullWatchdog';
  }
}
