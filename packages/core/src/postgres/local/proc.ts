import { readFile, readdir } from 'node:fs/promises';

/**
 * Process facts from /proc. Node has no pidfd API, so liveness of a postmaster we did not
 * start (adopted after an agent restart) is watched by polling /proc/<pid>/stat and
 * comparing the process start time, which also guards against PID reuse.
 */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  /** R, S, D, Z (zombie), … */
  readonly state: string;
  /** Start time in epoch milliseconds (10 ms resolution). */
  readonly startedAtMs: number;
  readonly comm: string;
}

// USER_HZ: the kernel reports start times in clock ticks of 1/100 s on every mainstream
// Linux architecture; it is a fixed ABI value, not the kernel's HZ.
const CLOCK_TICKS_PER_SECOND = 100;
let bootTimeMs: number | null = null;

async function bootTime(): Promise<number> {
  if (bootTimeMs === null) {
    const stat = await readFile('/proc/stat', 'utf8');
    const m = /^btime\s+(\d+)/m.exec(stat);
    bootTimeMs = m ? Number(m[1]) * 1000 : 0;
  }
  return bootTimeMs;
}

export async function readProc(pid: number): Promise<ProcInfo | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may contain spaces; fields resume after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  const startTicks = Number(fields[19]);
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startedAtMs: (await bootTime()) + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND,
    comm,
  };
}

export function isGone(info: ProcInfo | null): boolean {
  return info === null || info.state === 'Z' || info.state === 'X';
}

/** Direct children of a process (used when a postmaster is not a group leader). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const info = await readProc(Number(entry));
    if (info && info.ppid === pid) out.push(info.pid);
  }
  return out;
}
