/**
 * Stopping what a kept demo left running: every postmaster whose data directory is in
 * the demo directory (by the PID in its postmaster.pid, checked to be a postgres
 * process), then the directory itself.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isPostgres(pid: number): boolean {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return comm.startsWith('postgres') || comm.startsWith('postmaster');
  } catch {
    return false;
  }
}

/** Live postmasters of the data directories directly under `dir`. */
export function livePostmasters(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const entry of readdirSync(dir)) {
    const pid = postmasterPid(join(dir, entry));
    if (pid !== null && isPostgres(pid)) pids.push(pid);
  }
  return pids;
}

/** SIGQUIT (immediate shutdown) to each postmaster, SIGKILL of its process group after 5 s; then removes `dir`. */
export async function cleanupDemoDir(dir: string): Promise<number> {
  if (!existsSync(join(dir, 'demo.json'))) throw new Error(`${dir} is not a directory the demo kept (no demo.json in it)`);
  const pids = livePostmasters(dir);
  for (const pid of pids) process.kill(pid, 'SIGQUIT');
  const until = Date.now() + 5000;
  while (pids.some(isPostgres) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(isPostgres)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return pids.length;
}
