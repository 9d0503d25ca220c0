/**
 * Time on a CPU, read from /proc, for the benchmarks: of one thread (`schedstat`, in ns),
 * or of a whole process with every thread it ever had (`stat`, in clock ticks).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/PID/stat` (USER_HZ: 100 on every Linux build the bench runs on). */
const TICKS_PER_SECOND = 100;

/** Time on a CPU so far of a process's main thread (a single-threaded process: all of it), in ns. */
export function mainThreadCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

/** Time on a CPU so far of one thread of `pid`, in ns. */
export function threadCpuNs(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

/** The thread IDs of a process now. */
export function threadsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

/**
 * Time on a CPU of a whole process so far, in ns: `utime + stime` of `/proc/PID/stat`,
 * which sum every thread, the exited ones too (Patroni's REST API answers each request
 * on a thread of its own), in 10 ms ticks, fine enough for loads of seconds.
 */
export function processCpuNs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": field 3 (state) first, so utime (field 14) and stime (15) are at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e9;
}
