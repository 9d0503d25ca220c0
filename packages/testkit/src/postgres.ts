/**
 * PostgreSQL for tests: finds the binaries, prepares data directories that the
 * unprivileged `postgres` user owns when the tests run as root (PostgreSQL refuses to
 * run as root), hands out free loopback ports, and kills every postmaster it knows of
 * at cleanup and at process exit — even when a test fails.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const POSTGRES_PACKAGE = 'postgresql-15';
export const DEFAULT_PG_BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Looks a user up in /etc/passwd (never hard-coded ids). */
export function lookupOsUser(name: string): OsUser | null {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7) {
      return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
    }
  }
  return null;
}

/**
 * The directory holding the PostgreSQL 15 programs. `PGWARDEN_PG_BIN_DIR` overrides it.
 * Throws a message that says which package to install.
 */
export function postgresBinDir(): string {
  const dir = process.env['PGWARDEN_PG_BIN_DIR'] ?? DEFAULT_PG_BIN_DIR;
  for (const prog of ['postgres', 'initdb', 'pg_ctl', 'pg_basebackup', 'pg_rewind', 'pg_controldata']) {
    if (!existsSync(join(dir, prog))) {
      throw new Error(
        `PostgreSQL program ${prog} not found in ${dir}: install it with ` +
          `'apt-get install -y ${POSTGRES_PACKAGE}' (or set PGWARDEN_PG_BIN_DIR)`,
      );
    }
  }
  return dir;
}

/**
 * Who runs the PostgreSQL programs: nobody special when we are not root; the
 * `postgres` user (ids from /etc/passwd) when we are.
 */
export function postgresRunAs(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  const user = lookupOsUser('postgres');
  if (!user) {
    throw new Error(
      `tests run as root but there is no 'postgres' user to run PostgreSQL as: ` +
        `install ${POSTGRES_PACKAGE} (it creates the user)`,
    );
  }
  return user;
}

/** A free TCP port on 127.0.0.1, outside the ephemeral range (ports.ts). */
export async function freeLoopbackPort(): Promise<number> {
  return freePort();
}

/** The PID in `<dataDir>/postmaster.pid`, or null. */
export function postmasterPidOf(dataDir: string): number | null {
  try {
    const first = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '';
    const pid = Number.parseInt(first, 10);
    return Number.isFinite(pid) && pid !== 0 ? Math.abs(pid) : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kill a postmaster and its backends. Synchronous so it can run in an exit handler. */
export function killPostmasterSync(dataDir: string): boolean {
  const pid = postmasterPidOf(dataDir);
  if (pid === null || !isAlive(pid)) return false;
  // Only a postgres process: a stale pid file may point at a recycled pid.
  let comm = '';
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return false;
  }
  if (!comm.startsWith('postgres') && !comm.startsWith('postmaster')) return false;
  // Postgres children call setsid(), so the postmaster's group does not hold them: freeze
  // the postmaster (no new forks), then kill it, its group, and each child.
  signalQuietly(pid, 'SIGSTOP');
  const children = childrenOfSync(pid);
  signalQuietly(-pid, 'SIGKILL');
  signalQuietly(pid, 'SIGKILL');
  for (const child of children) signalQuietly(child, 'SIGKILL');
  return true;
}

function signalQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // gone already
  }
}

function childrenOfSync(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, …
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

const liveSandboxes = new Set<PostgresSandbox>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanupAll = (): void => {
    for (const sandbox of liveSandboxes) sandbox.killAllSync();
  };
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanupAll();
      process.kill(process.pid, sig);
    });
  }
}

export interface PostgresSandboxOptions {
  /** Prefix of the temp directory name. */
  readonly prefix?: string;
}

/**
 * A temp directory for data directories and sockets, owned by the user PostgreSQL runs
 * as. Call `cleanup()` in afterAll; an exit hook kills leftovers if that never runs.
 */
export class PostgresSandbox {
  readonly root: string;
  readonly binDir: string;
  /** null when the tests do not run as root (then Postgres runs as us). */
  readonly runAs: OsUser | null;
  /** A directory the Postgres user can read, for cwd and HOME. */
  readonly homeDir: string;
  private readonly dataDirs = new Set<string>();

  constructor(options: PostgresSandboxOptions = {}) {
    this.binDir = postgresBinDir();
    this.runAs = postgresRunAs();
    // Not under /root: every parent must be traversable by the postgres user.
    this.root = mkdtempSync(join(tmpdir(), options.prefix ?? 'pgwarden-pg-'));
    chmodSync(this.root, 0o755);
    this.chownToPostgres(this.root);
    this.homeDir = this.mkdir('home', 0o755);
    liveSandboxes.add(this);
    installExitHook();
  }

  /** A sub-directory owned by the Postgres user. */
  mkdir(name: string, mode = 0o700): string {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true, mode });
    chmodSync(dir, mode);
    this.chownToPostgres(dir);
    return dir;
  }

  /**
   * A path for a data directory (not created: initdb and pg_basebackup create it). It is
   * remembered so that cleanup kills its postmaster.
   */
  dataDirPath(name: string): string {
    const dir = join(this.root, name);
    this.dataDirs.add(dir);
    return dir;
  }

  /** Mark another directory as one whose postmaster must die at cleanup. */
  track(dataDir: string): void {
    this.dataDirs.add(dataDir);
  }

  chownToPostgres(path: string): void {
    if (this.runAs) chownSync(path, this.runAs.uid, this.runAs.gid);
  }

  /** Postmasters of tracked data dirs that are still alive. */
  livePostmasters(): number[] {
    const pids: number[] = [];
    for (const dir of this.dataDirs) {
      const pid = postmasterPidOf(dir);
      if (pid !== null && isAlive(pid)) pids.push(pid);
    }
    return pids;
  }

  killAllSync(): void {
    for (const dir of this.dataDirs) killPostmasterSync(dir);
  }

  /** Kill leftover postmasters and remove the directory. */
  cleanup(): void {
    this.killAllSync();
    liveSandboxes.delete(this);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Run a PostgreSQL program synchronously as the Postgres user (for test setup). */
  runSync(program: string, args: readonly string[]): string {
    return execFileSync(join(this.binDir, program), [...args], {
      encoding: 'utf8',
      cwd: this.homeDir,
      env: { ...process.env, HOME: this.homeDir, LC_ALL: 'C' },
      ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
    });
  }
}
