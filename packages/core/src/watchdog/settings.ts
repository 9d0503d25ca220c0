/**
 * The `watchdog:` section of patroni.yml and the timing derived from it (spec/ha.md §3.11).
 * The device must fire before the leader key can expire anywhere else:
 * timeout = ttl − safety_margin (ttl/2 when safety_margin is −1), and one loop_wait must
 * fit inside it, so slack = timeout − loop_wait; a negative slack disables the watchdog.
 */
import type { WatchdogMode } from './mode.js';

export interface WatchdogSettings {
  readonly mode: WatchdogMode;
  /** Path of the Linux watchdog device (`/dev/watchdog`). */
  readonly device: string;
  /** Seconds between the device firing and the lock expiring; −1 means ttl/2. */
  readonly safetyMargin: number;
  /**
   * `default`: the Linux device. `testing`: Patroni's test harness, a FIFO that is told
   * the timeout as `Ctimeout=<n>\n` instead of by ioctl. Anything else: no device.
   */
  readonly driver: string;
}

export const DEFAULT_WATCHDOG_SETTINGS: WatchdogSettings = Object.freeze({
  mode: 'automatic',
  device: '/dev/watchdog',
  safetyMargin: 5,
  driver: 'default',
});

/** ttl and loop_wait in seconds, from the dynamic configuration in force. */
export interface WatchdogTiming {
  readonly ttl: number;
  readonly loopWait: number;
}

/** The timeout the device must have, in whole seconds. */
export function watchdogTimeout(settings: Pick<WatchdogSettings, 'safetyMargin'>, ttl: number): number {
  return settings.safetyMargin === -1 ? Math.floor(ttl / 2) : ttl - settings.safetyMargin;
}

/** Seconds left over once a loop_wait fits inside the timeout; negative = unusable timing. */
export function timingSlack(settings: Pick<WatchdogSettings, 'safetyMargin'>, timing: WatchdogTiming): number {
  return watchdogTimeout(settings, timing.ttl) - timing.loopWait;
}
