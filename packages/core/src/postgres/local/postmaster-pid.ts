import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGone, readProc, readProcSync, type ProcInfo } from './proc.js';

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

/** A postmaster that postmaster.pid names and /proc confirms. */
export interface LivePostmaster {
  readonly pid: number;
  readonly startedAtMs: number;
  /** Field 22 of /proc/PID/stat. */
  readonly startTicks: number;
  readonly file: PostmasterPidFile;
}

/**
 * The running postmaster of a data dir, trusted only if the PID in postmaster.pid is
 * alive, is not us or our parent, and started within 3 s of the time the file records
 * (a stale file after a reboot may name an unrelated process).
 */
export async function findLivePostmaster(dataDir: string): Promise<LivePostmaster | null> {
  const file = await readPostmasterPid(dataDir);
  return file && liveNamed(file, await readProc(file.pid));
}

function liveNamed(file: PostmasterPidFile, info: ProcInfo | null): LivePostmaster | null {
  if (file.pid < 0 || file.pid === process.pid || file.pid === process.ppid) return null;
  if (isGone(info) || !info) return null;
  if (Math.abs(info.startedAtMs - file.startedAtSec * 1000) > START_TIME_TOLERANCE_MS) return null;
  return { pid: file.pid, startedAtMs: info.startedAtMs, startTicks: info.startTicks, file };
}

/**
 * findLivePostmaster for a caller that asks every HA cycle (the fence): postmaster.pid is
 * read again only when a stat shows another file or a change (device, inode, size, change
 * and modification times), and /proc is read synchronously (no disk behind it). Only what
 * a postmaster writes when it creates the file is answered — its PID and start time — as
 * the status line can be rewritten in place within one timestamp tick. A new postmaster
 * always creates a new file, and its PID is checked in /proc on every call.
 */
export class PostmasterPidCache {
  private last: { readonly key: string; readonly file: PostmasterPidFile | null } | null = null;

  constructor(private readonly dataDir: string) {}

  /** The live postmaster's PID and start time (not the file: its status line may be older than that). */
  async findLive(): Promise<Omit<LivePostmaster, 'file'> | null> {
    const file = await this.read();
    const live = file && liveNamed(file, readProcSync(file.pid));
    return live && { pid: live.pid, startedAtMs: live.startedAtMs, startTicks: live.startTicks };
  }

  private async read(): Promise<PostmasterPidFile | null> {
    let key: string;
    try {
      // Synchronous, as the /proc read below: through the thread pool it woke the agent once more per heartbeat.
      const st = statSync(join(this.dataDir, 'postmaster.pid'), { bigint: true });
      key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      this.last = null;
      return null;
    }
    if (this.last?.key === key) return this.last.file;
    // Keyed on the stat taken before the read: a write in between only makes the next call read again.
    const file = await readPostmasterPid(this.dataDir);
    this.last = { key, file };
    return file;
  }
}
