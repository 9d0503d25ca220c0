import { spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTicks, startTicksSync } from './boot-clock.js';

/** One line of the state file the guard reads (see guard.sh for the format). */
export type GuardState =
  | { readonly kind: 'armed'; readonly deadlineCs: number; readonly pm: ProcRef; readonly agent: ProcRef }
  | { readonly kind: 'disarmed'; readonly agent: ProcRef }
  | { readonly kind: 'exit' };

/** A process named by PID and start ticks, so a reused PID is never mistaken for it. */
export interface ProcRef {
  readonly pid: number;
  readonly ticks: number;
}

export function encodeState(s: GuardState): string {
  switch (s.kind) {
    case 'armed':
      return `armed ${s.deadlineCs} ${s.pm.pid} ${s.pm.ticks} ${s.agent.pid} ${s.agent.ticks}\n`;
    case 'disarmed':
      return `disarmed ${s.agent.pid} ${s.agent.ticks}\n`;
    case 'exit':
      return 'exit\n';
  }
}

/**
 * guard.sh sits beside this module in src/fence/, and beside the bundle in dist/ (tsup
 * copies it there), so `./guard.sh` resolves in both layouts.
 */
export function defaultGuardScript(): string {
  for (const rel of ['./guard.sh', './fence/guard.sh']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('pgwarden fence: guard.sh not found beside the module (was it copied to dist/?)');
}

/** The guard's files: a predictable directory per data dir, so a restarted agent adopts it. */
export class GuardFiles {
  readonly state: string;
  readonly report: string;
  readonly pidFile: string;
  constructor(readonly dir: string) {
    this.state = join(dir, 'state');
    this.report = join(dir, 'report');
    this.pidFile = join(dir, 'guard.pid');
  }

  /** Creates the directory 0700; refuses one that is a symlink or not ours (shared /tmp). */
  prepare(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(this.dir);
    const uid = process.getuid?.() ?? st.uid;
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
      throw new Error(`pgwarden fence: ${this.dir} must be a directory owned by uid ${uid}, not group/other-writable`);
    }
  }

  /**
   * Atomic replace: the guard reads either the old line or the new one, never half. A
   * directory removed behind the agent's back (a tmp cleaner, logind's RemoveIPC in
   * /dev/shm) is made again; the guard, finding no state, has exited, and the caller
   * starts a new one.
   */
  writeState(s: GuardState): void {
    const tmp = `${this.state}.tmp`;
    try {
      writeFileSync(tmp, encodeState(s), { mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.prepare();
      writeFileSync(tmp, encodeState(s), { mode: 0o600 });
    }
    renameSync(tmp, this.state);
  }

  readGuardRef(): ProcRef | null {
    try {
      const [pid, ticks] = readFileSync(this.pidFile, 'utf8').trim().split(' ').map(Number);
      return pid && ticks !== undefined && Number.isFinite(ticks) ? { pid, ticks } : null;
    } catch {
      return null;
    }
  }
}

export function isSameProcess(ref: ProcRef | null): boolean {
  return ref !== null && startTicksSync(ref.pid) === ref.ticks;
}

/**
 * Starts guard.sh detached: its own session and process group (so neither a SIGKILL of the
 * agent nor of the agent's group reaches it), no pipe to the agent (a frozen agent cannot
 * block it), stderr appended to the report file. The state file must exist first.
 */
export async function spawnGuard(files: GuardFiles, script: string, fastCs: number, quitCs: number, idleCs: number): Promise<ProcRef> {
  const err = openSync(files.report, 'a', 0o600);
  try {
    const child = spawn('/bin/sh', [script, files.state, files.report, String(fastCs), String(quitCs), String(idleCs)], {
      argv0: 'pgwarden-fence',
      cwd: '/',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' },
      detached: true,
      stdio: ['ignore', 'ignore', err],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? 0));
      child.once('error', reject);
    });
    child.unref();
    await untilStarted(files.report, pid);
    const ticks = await startTicks(pid);
    if (ticks === null) throw new Error('pgwarden fence: the guard exited at once (see the report file)');
    writeFileSync(files.pidFile, `${pid} ${ticks}\n`, { mode: 0o600 });
    return { pid, ticks };
  } finally {
    closeSync(err);
  }
}

/**
 * Until the guard has installed its SIGUSR1 trap (it reports "started" right after), a
 * wake-up would kill it: SIGUSR1's default action is to terminate.
 */
async function untilStarted(report: string, pid: number): Promise<void> {
  const mark = ` started pid=${pid}\n`;
  for (let i = 0; i < 300; i++) {
    if (readFileSync(report, 'utf8').includes(mark)) return;
    if ((await startTicks(pid)) === null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`pgwarden fence: the guard (pid ${pid}) did not start; see ${report}`);
}

/** Wakes the guard (deadline moved earlier, state changed). Harmless if it is gone. */
export function wake(ref: ProcRef): void {
  try {
    process.kill(ref.pid, 'SIGUSR1');
  } catch {
    /* gone: the next heartbeat respawns it */
  }
}
