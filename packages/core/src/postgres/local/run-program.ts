import { spawn } from 'node:child_process';
import type { RunAs } from './run-as.js';
import { spawnIdentity } from './run-as.js';
import { scriptEnvironment } from './script-env.js';

export interface ProgramResult {
  /** Exit code, or null when killed by a signal or the deadline. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** spawn itself failed (ENOENT, EACCES). */
  readonly spawnError?: Error;
}

export interface RunProgramOptions {
  readonly runAs: RunAs | null;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly stdin?: string;
}

const MAX_CAPTURE = 1 << 20;

/** Programs started by this process, for the loop-cost measurement (children per HA cycle). */
export const programStats = { started: 0 };

/**
 * Runs a short-lived program (initdb, pg_controldata, pg_basebackup, pg_rewind, a user
 * script) to completion and captures its output. It gets its own process group so that a
 * deadline or an abort kills the whole tree (scripts spawn children). Secrets go through
 * the environment or files, never through `args`.
 */
export function runProgram(path: string, args: readonly string[], opts: RunProgramOptions): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const home = opts.runAs?.home ?? process.env['HOME'] ?? '/';
    let child;
    programStats.started++;
    try {
      child = spawn(path, [...args], {
        cwd: opts.cwd ?? home,
        env: { ...scriptEnvironment(), HOME: home, LC_ALL: 'C', LANG: 'C', ...opts.env },
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
        ...spawnIdentity(opts.runAs),
      });
    } catch (e) {
      resolve({ code: null, stdout: '', stderr: String(e), timedOut: false, aborted: false, spawnError: e as Error });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const killTree = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    // The deadline is a real-time limit on an OS process; it is not modelled by the simulation.
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, Math.max(1, opts.timeoutMs));
    const onAbort = (): void => {
      aborted = true;
      killTree();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += d.toString('utf8');
    });
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr, timedOut, aborted, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

/** The last non-empty line of a program's stderr (or stdout), for one-line errors. */
export function lastLine(result: ProgramResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.find((l) => /FATAL|ERROR|error:/.test(l));
  return fatal ?? lines[lines.length - 1] ?? `exit code ${String(result.code)}`;
}
