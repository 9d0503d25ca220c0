/**
 * Child processes started by the testkit. Each is tracked by PID so that it dies with
 * the test process even when a test fails or forgets to clean up, and stopped by PID,
 * never by name (other engineers' servers run on the same machine).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const tracked = new Set<ChildProcess>();
const exitHooks = new Set<() => void>();
let hooked = false;

function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of tracked) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const hook of exitHooks) {
      try {
        hook();
      } catch {
        // best effort at exit
      }
    }
  });
}

/** Runs `hook` synchronously when the test process exits (e.g. remove temp dirs). */
export function onProcessExit(hook: () => void): () => void {
  installExitHook();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  installExitHook();
  const child = spawn(command, args, options);
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  // A failed spawn (ENOENT) also ends the process; the caller sees it through `exited`.
  child.once('error', () => tracked.delete(child));
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void exited(child).then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid !== undefined && isRunning(child)) process.kill(child.pid, sig);
}

/**
 * SIGTERM by PID, then wait; SIGKILL if it has not exited after `graceMs`. A frozen
 * (SIGSTOPped) process cannot act on SIGTERM, so it also gets a SIGCONT.
 */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!isRunning(child)) return;
  signal(child, 'SIGTERM');
  signal(child, 'SIGCONT');
  if (await waitExit(child, graceMs)) return;
  signal(child, 'SIGKILL');
  await waitExit(child, 5000);
}

export async function killProcess(child: ChildProcess): Promise<void> {
  signal(child, 'SIGKILL');
  await waitExit(child, 5000);
}

/** The absolute path of `name` on PATH (or `name` itself if it is a path), or null. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** Sends `name` to `pid`; a process that is already gone is not an error. */
export function signalPid(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // the process is already gone
  }
}

/** True when /proc shows every thread of `pid` stopped (state T): a SIGSTOP has taken hold. */
export function allThreadsStopped(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).every((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'T' || state === 't';
    });
  } catch {
    return false;
  }
}

/**
 * SIGSTOP, then waits until every thread has stopped: the signal wakes one thread, which
 * stops the others, and on a busy machine the rest keep serving for a few milliseconds.
 */
export async function freezePid(pid: number, label: string): Promise<void> {
  signalPid(pid, 'SIGSTOP');
  const started = Date.now();
  while (!allThreadsStopped(pid)) {
    if (Date.now() - started > 5000) throw new Error(`${label} (pid ${pid}) did not stop within 5 s of SIGSTOP`);
    await delay(5);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
