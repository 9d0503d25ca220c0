import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * The guard is a POSIX sh script, and the only clock sh can read without forking is
 * /proc/uptime, which the kernel fills from CLOCK_BOOTTIME (ktime_get_boottime), not
 * from CLOCK_MONOTONIC (what process.hrtime and Clock.now use). The two advance together
 * and differ by a constant, except that BOOTTIME also counts time spent in suspend.
 * So the agent converts its monotonic deadline to BOOTTIME when it writes a heartbeat:
 * after a suspend the guard's clock has moved *further*, so it can only fire earlier —
 * which is right, since the lease kept running on the DCS servers meanwhile.
 */
export function bootTimeCs(): number {
  return parseUptimeCs(readFileSync('/proc/uptime', 'utf8'));
}

/** "1234.56 …" → 123456. The kernel prints "%lu.%02lu" (truncated, never rounded up). */
export function parseUptimeCs(text: string): number {
  const m = /^(\d+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`unexpected /proc/uptime: ${text.slice(0, 40)}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

/**
 * A deadline on the monotonic clock (ms), as a BOOTTIME deadline in centiseconds, never
 * later than the true instant: /proc/uptime is read *before* the monotonic clock and is
 * truncated, so the offset can only come out small, and the result is floored.
 */
export function monotonicToBootCs(deadlineMs: number, monotonicNow: () => number): number {
  const bootCs = bootTimeCs();
  const monoMs = monotonicNow();
  return Math.floor(bootCs + (deadlineMs - monoMs) / 10);
}

/** Field 22 of /proc/PID/stat: the start time in clock ticks, or null if gone/zombie. */
export async function startTicks(pid: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return Number(fields[19]);
}
