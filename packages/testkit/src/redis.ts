/**
 * A real Redis 7 server for tests: on a free loopback port, in a temporary directory,
 * without persistence unless asked, stopped by its PID (never by name) and killed when
 * the test process exits.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { delay, exited, findExecutable, freezePid, onProcessExit, signalPid, spawnTracked, stopProcess } from './process.js';
import { redisCommand } from './redis-resp.js';

export const REDIS_INSTALL_HINT =
  'install it with: DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server ' +
  '(tests need a real Redis and do not skip without one)';

export interface StartRedisOptions {
  /** Extra `--name value` arguments, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
  readonly args?: readonly string[];
  /** Append-only file with fsync on every write, so a restart keeps the data. Default false. */
  readonly persistent?: boolean;
  /** Use this port instead of drawing a free one. */
  readonly port?: number;
  /** How long to wait for PING → PONG. Default 15 s. */
  readonly readyTimeoutMs?: number;
  /** The redis-server binary; default from PATH. */
  readonly binary?: string;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly dir: string;
  readonly logFile: string;
  /** The server's PID while it runs, else null. */
  readonly pid: number | null;
  /** SIGTERM (SIGKILL after 3 s); with persistence the data stays. */
  stop(): Promise<void>;
  /** SIGKILL, as a host losing power. */
  kill(): Promise<void>;
  /** Starts again on the same port and directory and waits for PONG. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** The redis-server binary, or an error that says how to install it. */
export function redisServerBinary(binary = 'redis-server'): string {
  const found = findExecutable(binary) ?? findExecutable(`/usr/bin/${binary}`);
  if (!found) throw new Error(`redis-server is not installed (not on PATH): ${REDIS_INSTALL_HINT}`);
  return found;
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary(options.binary);
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-redis-'));
  const forget = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  let lastError: unknown;
  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const server = new RedisProcess(binary, dir, port, options, forget);
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      await server.stop().catch(() => undefined);
      if (options.port !== undefined || !server.logMentions('Address already in use')) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  forget();
  throw lastError;
}

export class RedisProcess implements RedisServer {
  readonly host = '127.0.0.1';
  readonly logFile: string;
  private child: ChildProcess | null = null;

  constructor(
    private readonly binary: string,
    readonly dir: string,
    readonly port: number,
    private readonly options: StartRedisOptions,
    private readonly forget: () => void,
    /** Arguments that replace the defaults (Sentinel passes its config file). */
    private readonly argsOverride?: readonly string[],
  ) {
    this.logFile = join(dir, `redis-${port}.log`);
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const persistence = this.options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--appendfilename', `appendonly-${this.port}.aof`, '--appenddirname', `aof-${this.port}`]
      : ['--save', '', '--appendonly', 'no'];
    const args = this.argsOverride ?? [
      '--port',
      String(this.port),
      '--bind',
      this.host,
      '--dir',
      this.dir,
      '--dbfilename',
      `dump-${this.port}.rdb`,
      ...persistence,
      ...(this.options.args ?? []),
    ];
    const log = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawnTracked(this.binary, args, { cwd: this.dir, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    if (child.pid === undefined) throw new Error(`could not start ${this.binary}: ${REDIS_INSTALL_HINT}`);
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await this.waitReady(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await stopProcess(child, 3000);
    await exited(child);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    signalPid(child.pid, 'SIGCONT');
    signalPid(child.pid, 'SIGKILL');
    await exited(child);
  }

  async freeze(): Promise<void> {
    await freezePid(this.requirePid('freeze'), 'Redis');
  }

  async thaw(): Promise<void> {
    signalPid(this.requirePid('thaw'), 'SIGCONT');
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.forget();
  }

  logMentions(text: string): boolean {
    try {
      return readFileSync(this.logFile, 'utf8').includes(text);
    } catch {
      return false;
    }
  }

  private requirePid(what: string): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`cannot ${what} Redis on port ${this.port}: it is not running`);
    return pid;
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 15_000;
    const started = Date.now();
    for (;;) {
      if (this.child !== child) throw new Error(`Redis on port ${this.port} exited before it was ready; its log:\n${this.logTail()}`);
      // NOAUTH is an answer too: the server runs with --requirepass.
      const pong = await redisCommand(this.port, ['PING'], 1000).catch((error: Error) => (error.message.startsWith('NOAUTH') ? 'PONG' : null));
      if (pong === 'PONG') return;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`Redis on port ${this.port} did not answer PING within ${timeoutMs} ms; its log:\n${this.logTail()}`);
      }
      await delay(50);
    }
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }
}



