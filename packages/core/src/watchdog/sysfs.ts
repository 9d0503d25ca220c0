/**
 * What the kernel says about a watchdog device in sysfs. Node.js has no ioctl(), so the
 * WDIOC_GETSUPPORT / WDIOC_GETTIMEOUT queries Patroni makes are read here instead, from
 * /sys/class/watchdog/watchdogN (CONFIG_WATCHDOG_SYSFS): `timeout`, `options`,
 * `identity`, `nowayout`. These files are read-only: the timeout cannot be set from here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** WDIOF_MAGICCLOSE: writing 'V' before close stops the timer. */
export const WDIOF_MAGICCLOSE = 0x0100;
/** WDIOF_SETTIMEOUT: the timeout can be changed (by ioctl, which Node.js cannot issue). */
export const WDIOF_SETTIMEOUT = 0x0080;

export interface WatchdogSysfsInfo {
  /** Seconds, or null when not readable. */
  readonly timeout: number | null;
  /** WDIOF_* bits, or null when not readable. */
  readonly options: number | null;
  readonly identity: string | null;
  /** The kernel will not stop the timer on close whatever we write. */
  readonly nowayout: boolean;
}

const MISC_MAJOR = 10n;
const WATCHDOG_MINOR = 130n;

/**
 * The sysfs directory of a character device, or null (not a char device, no sysfs, or
 * no watchdog attributes). `/dev/watchdog` is the legacy misc alias (10:130) of
 * watchdog0, whose attributes live under the watchdog class instead.
 */
export function sysfsDirOf(device: string, sysRoot = '/sys'): string | null {
  let rdev: bigint;
  try {
    const st = statSync(device, { bigint: true });
    if (!st.isCharacterDevice()) return null;
    rdev = st.rdev;
  } catch {
    return null;
  }
  // glibc's gnu_dev_major / gnu_dev_minor.
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  const own = join(sysRoot, 'dev', 'char', `${major}:${minor}`);
  if (existsSync(join(own, 'timeout'))) return own;
  const legacy = join(sysRoot, 'class', 'watchdog', 'watchdog0');
  if (major === MISC_MAJOR && minor === WATCHDOG_MINOR && existsSync(join(legacy, 'timeout'))) return legacy;
  return null;
}

function readAttr(dir: string, name: string): string | null {
  try {
    return readFileSync(join(dir, name), 'utf8').trim();
  } catch {
    return null;
  }
}

export function readSysfsInfo(dir: string | null): WatchdogSysfsInfo {
  if (dir === null) return { timeout: null, options: null, identity: null, nowayout: false };
  const timeout = Number.parseInt(readAttr(dir, 'timeout') ?? '', 10);
  const options = Number.parseInt(readAttr(dir, 'options') ?? '', 16);
  return {
    timeout: Number.isFinite(timeout) ? timeout : null,
    options: Number.isFinite(options) ? options : null,
    identity: readAttr(dir, 'identity') || null,
    nowayout: readAttr(dir, 'nowayout') === '1',
  };
}
