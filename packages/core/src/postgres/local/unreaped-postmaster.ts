/**
 * A postmaster that died while some other process was its parent — after the agent that
 * started it was restarted, that is PID 1 or a subreaper — stays a zombie until that
 * parent reaps it, which a container's PID 1 may do only seconds later. Postgres finds
 * the PID in postmaster.pid still taken and refuses to start ("lock file already
 * exists"), and a leader whose restart failed there would give its lock away for
 * nothing. So a start first waits, within its deadline, for that PID to be reaped.
 */
import type { Clock } from '../../time/clock.js';
import { readPostmasterPid } from './postmaster-pid.js';
import { readProc } from './proc.js';

const POLL_MS = 50;

/** Null once postmaster.pid names no zombie; else the zombie still there at `deadline`. */
export async function untilPidFileOwnerReaped(dataDir: string, clock: Clock, deadline: number): Promise<{ pid: number; ppid: number } | null> {
  for (;;) {
    const file = await readPostmasterPid(dataDir);
    if (!file || file.pid <= 0) return null;
    const info = await readProc(file.pid);
    if (info === null || info.state !== 'Z') return null;
    if (clock.now() + POLL_MS >= deadline) return { pid: info.pid, ppid: info.ppid };
    await clock.sleep(POLL_MS);
  }
}

export function unreapedMessage(what: string, zombie: { pid: number; ppid: number }): string {
  return `cannot ${what}: postmaster.pid names PID ${zombie.pid}, a postmaster that exited but that its parent (PID ${zombie.ppid}) has not reaped yet; Postgres refuses to start until it is`;
}
