import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGone, readProc } from './proc.js';

/** Lines of postmaster.pid (see PostgreSQL's pidfile.h). */
export interface PostmasterPidFile {
  /** Negative in single-user mode. */
  readonly pid: number;
  readonly dataDir: string;
  readonly startedAtSec: number;
  readonly port: number;
  readonly socketDir: string;
  readonly listenAddress: string;
  readonly status: string;
}

export async function readPostmasterPid(dataDir: string): Promise<PostmasterPidFile | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const l = text.split('\n');
  const pid = Number.parseInt(l[0] ?? '', 10);
  if (!Number.isFinite(pid) || pid === 0) return null;
  return {
    pid,
    dataDir: l[1] ?? '',
    startedAtSec: Number(l[2] ?? 0),
    port: Number(l[3] ?? 0),
    socketDir: l[4] ?? '',
    listenAddress: l[5] ?? '',
    status: (l[7] ?? '').trim(),
  };
}

/** How far the pid file's start time may be from the process's (Patroni uses 3 s). */
const START_TIME_TOLERANCE_MS = 3000;

/**
 * The running postmaster of a data dir, trusted only if the PID in postmaster.pid is
 * alive, is not us or our parent, and started within 3 s of the time the file records
 * (a stale file after a reboot may name an unrelated process).
 */
export async function findLivePostmaster(dataDir: string): Promise<{ pid: number; startedAtMs: number; file: PostmasterPidFile } | null> {
  const file = await readPostmasterPid(dataDir);
  if (!file || file.pid < 0) return null;
  if (file.pid === process.pid || file.pid === process.ppid) return null;
  const info = await readProc(file.pid);
  if (isGone(info) || !info) return null;
  if (Math.abs(info.startedAtMs - file.startedAtSec * 1000) > START_TIME_TOLERANCE_MS) return null;
  return { pid: file.pid, startedAtMs: info.startedAtMs, file };
}
