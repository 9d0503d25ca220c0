/**
 * What the demo needs from the machine: the PostgreSQL programs, and — when we run as
 * root — an unprivileged user to run them as (PostgreSQL refuses to run as root). An
 * agent running as the database owner needs none of this; `run_as` is only for setups
 * like this one, where one root process drives Postgres for several nodes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunAs } from '@pgwarden/core';

const PROGRAMS = ['postgres', 'initdb', 'pg_ctl', 'pg_basebackup', 'pg_rewind', 'pg_controldata'];

export class DemoSetupError extends Error {}

/** The directory holding initdb, postgres, pg_rewind…; a message naming the package when missing. */
export function findPostgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env['PGWARDEN_PG_BIN_DIR']) candidates.push(process.env['PGWARDEN_PG_BIN_DIR']);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    /* no pg_config on PATH */
  }
  // Debian/Ubuntu install each major under /usr/lib/postgresql/<major>/bin: newest first.
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => join(debian, m, 'bin')));
  }
  const found = candidates.find((dir) => PROGRAMS.every((p) => existsSync(join(dir, p))));
  if (found) return found;
  throw new DemoSetupError(
    'PostgreSQL was not found (looked for initdb, postgres, pg_rewind… in ' +
      `${candidates.length ? candidates.join(', ') : 'pg_config --bindir and /usr/lib/postgresql/*/bin'}).\n` +
      'Install it, e.g. `apt-get install postgresql-15` (Debian/Ubuntu), `dnf install postgresql15-server` (RHEL/Fedora) ' +
      'or `brew install postgresql@15` (macOS), or point PGWARDEN_PG_BIN_DIR at its bin directory.',
  );
}

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** When we are root: the `postgres` user from /etc/passwd (never hard-coded ids). */
export function postgresUserIfRoot(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === 'postgres' && f.length >= 7) return { name: 'postgres', uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new DemoSetupError(
    "running as root, but there is no 'postgres' user to run PostgreSQL as. Install the PostgreSQL server package " +
      '(it creates the user), or create an unprivileged `postgres` user, or run the demo as a normal user.',
  );
}

/**
 * The demo's working directory. Not under /root: every parent must be traversable by
 * the user Postgres runs as, so it lives in the system temp dir, owned by that user.
 */
export class Workspace {
  readonly root: string;
  /** cwd and HOME for Postgres programs (must be readable by the Postgres user). */
  readonly home: string;

  constructor(readonly user: OsUser | null) {
    this.root = mkdtempSync(join(tmpdir(), 'pgwarden-demo-'));
    chmodSync(this.root, 0o755);
    this.own(this.root);
    this.home = this.mkdir('home', 0o755);
  }

  /** A sub-directory the Postgres user owns. */
  mkdir(name: string, mode = 0o700): string {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true, mode });
    chmodSync(dir, mode);
    this.own(dir);
    return dir;
  }

  /** Who runs Postgres programs: `run_as` for the controller, or undefined when we are that user. */
  get runAs(): RunAs | undefined {
    return this.user ? { uid: this.user.uid, gid: this.user.gid, home: this.home } : undefined;
  }

  /** Removes the directory (its Postgres must be stopped first). */
  async remove(): Promise<void> {
    rmSync(this.root, { recursive: true, force: true });
  }

  private own(path: string): void {
    if (this.user) chownSync(path, this.user.uid, this.user.gid);
  }
}
