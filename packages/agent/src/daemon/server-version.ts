/**
 * Postgres' `server_version` as an integer (150004), for `/patroni` and restart filters,
 * read once from `postgres --version` in bin_dir (else on PATH). A bin_dir without the
 * programs stops the start with a message that names it.
 */
import { execFileSync } from 'node:child_process';
import { scrubEnvironment } from '../config/secrets.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonStartError } from './errors.js';

const REQUIRED = ['postgres', 'initdb', 'pg_ctl', 'pg_controldata'];

export function parseServerVersion(text: string): number {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return 0;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + Number(m[3] ?? 0);
}

export function serverVersion(binDir: string | undefined): number {
  if (binDir !== undefined) {
    const missing = REQUIRED.filter((p) => !existsSync(join(binDir, p)));
    if (missing.length) {
      throw new DaemonStartError(`postgresql.bin_dir = ${binDir}: ${missing.join(', ')} not found there; point bin_dir at the PostgreSQL programs (e.g. /usr/lib/postgresql/15/bin)`);
    }
  }
  try {
    return parseServerVersion(execFileSync(binDir ? join(binDir, 'postgres') : 'postgres', ['--version'], { encoding: 'utf8', timeout: 10_000, env: scrubEnvironment(process.env) }));
  } catch (error) {
    if (binDir !== undefined) throw new DaemonStartError(`postgresql.bin_dir = ${binDir}: postgres --version failed: ${(error as Error).message.split('\n')[0]}`);
    return 0;
  }
}
