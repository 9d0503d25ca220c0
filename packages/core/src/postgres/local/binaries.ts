import { constants } from 'node:fs';
import { access, readFile, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { PgFailure } from '../result.js';
import { fail } from '../result.js';
import { runProgram } from './run-program.js';

export type PgProgram =
  | 'postgres'
  | 'initdb'
  | 'pg_ctl'
  | 'pg_controldata'
  | 'pg_basebackup'
  | 'pg_rewind'
  | 'pg_isready'
  | 'pg_waldump';

/** One directory holding all the PostgreSQL programs, and their major version. */
export interface Binaries {
  readonly dir: string;
  /** How the directory was chosen, for error messages. */
  readonly source: string;
  readonly majorVersion: number;
  path(program: PgProgram): string;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(program: string): Promise<string | null> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, program)))) return join(dir, program);
  }
  return null;
}

/** The candidate directory, in Patroni-like order (see docs/postgres-controller.md). */
async function chooseDir(binDir: string | undefined, dataDir: string): Promise<{ dir: string; source: string } | null> {
  if (binDir) return { dir: binDir, source: 'postgresql.bin_dir' };
  const pgConfig = await findOnPath('pg_config');
  if (pgConfig) {
    // Debian's /usr/bin/pg_config is a wrapper: ask it rather than taking its directory.
    const r = await runProgram(pgConfig, ['--bindir'], { runAs: null, timeoutMs: 5000 });
    const dir = r.stdout.trim();
    if (r.code === 0 && dir && (await isExecutable(join(dir, 'postgres')))) return { dir, source: `${pgConfig} --bindir` };
  }
  const postgres = await findOnPath('postgres');
  if (postgres) return { dir: dirname(await realpath(postgres)), source: `postgres on PATH (${postgres})` };
  const version = await readPgVersion(dataDir);
  if (version !== null) return { dir: `/usr/lib/postgresql/${version}/bin`, source: `PG_VERSION ${version} of ${dataDir}` };
  return null;
}

export async function readPgVersion(dataDir: string): Promise<number | null> {
  try {
    const v = Number.parseInt((await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim(), 10);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

const REQUIRED: readonly PgProgram[] = ['postgres', 'initdb', 'pg_ctl', 'pg_controldata'];

/**
 * Finds the programs and checks they are usable: every required program exists in the
 * one directory, and its major version matches the data directory's PG_VERSION when the
 * data directory exists.
 */
export async function resolveBinaries(binDir: string | undefined, dataDir: string): Promise<Binaries | PgFailure> {
  const chosen = await chooseDir(binDir, dataDir);
  if (!chosen) {
    return fail(
      'binary-not-found',
      'PostgreSQL programs not found: set postgresql.bin_dir, or put pg_config or postgres on PATH',
    );
  }
  for (const program of REQUIRED) {
    if (!(await isExecutable(join(chosen.dir, program)))) {
      return fail('binary-not-found', `${program} not found in ${chosen.dir} (searched: ${chosen.source})`);
    }
  }
  const out = await runProgram(join(chosen.dir, 'postgres'), ['--version'], { runAs: null, timeoutMs: 10_000 });
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(out.stdout);
  if (out.code !== 0 || !m) {
    return fail('binary-not-found', `${join(chosen.dir, 'postgres')} --version failed: ${out.stderr.trim() || out.stdout.trim()}`);
  }
  const majorVersion = Number(m[1]);
  const dataVersion = await readPgVersion(dataDir);
  if (dataVersion !== null && dataVersion !== majorVersion) {
    return fail(
      'version-mismatch',
      `binaries in ${chosen.dir} are PostgreSQL ${majorVersion} but ${dataDir} is PostgreSQL ${dataVersion} (PG_VERSION)`,
    );
  }
  const dir = chosen.dir;
  return { dir, source: chosen.source, majorVersion, path: (p) => join(dir, p) };
}

export function isBinaries(x: Binaries | PgFailure): x is Binaries {
  return !('ok' in x);
}
