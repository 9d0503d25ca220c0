import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import type { RunAs } from './run-as.js';
import { spawnIdentity } from './run-as.js';

export interface SpawnPostmasterInput {
  readonly postgresPath: string;
  readonly dataDir: string;
  readonly configFile: string;
  /** Forced parameters, passed as --name=value so ALTER SYSTEM cannot override them. */
  readonly commandLine: Readonly<Record<string, string>>;
  /** stdout/stderr go to this file (append), never to a pipe the agent holds. */
  readonly logFile: string;
  readonly runAs: RunAs | null;
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/**
 * Starts the postmaster detached: its own session (setsid via `detached`), stdio to a
 * log file, unref'd — so it outlives the agent, and the agent dying cannot block it on a
 * full pipe. Returns its PID and the child handle (for a quick exit notification).
 */
export async function spawnPostmaster(input: SpawnPostmasterInput): Promise<{ pid: number; onExit: (fn: () => void) => void }> {
  const fd = openSync(input.logFile, 'a', 0o600);
  try {
    if (input.runAs) await chown(input.logFile, input.runAs.uid, input.runAs.gid).catch(() => undefined);
    const args = ['-D', input.dataDir, `--config-file=${input.configFile}`];
    for (const [k, v] of Object.entries(input.commandLine)) args.push(`--${k}=${v}`);
    const home = input.runAs?.home ?? process.env['HOME'] ?? '/';
    // A minimal environment: no PGPASSWORD or other secrets of the agent leak into Postgres.
    const env: Record<string, string> = { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', ...input.extraEnv };
    const child = spawn(input.postgresPath, args, {
      cwd: home,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...spawnIdentity(input.runAs),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? 0));
      child.once('error', reject);
    });
    child.unref();
    return { pid, onExit: (fn) => child.once('exit', fn) };
  } finally {
    closeSync(fd);
  }
}
