/**
 * A real ZooKeeper 3.8 server for tests: standalone, on a free loopback port, in a
 * temporary directory, with a short tickTime so session timeouts of 1–30 s are allowed.
 *
 * The server runs as a child JVM. It is stopped by its PID (never by name), and killed
 * when the test process exits, even when a test failed or the runner was killed: a
 * small guard process watches a pipe from us and SIGKILLs the JVM when the pipe closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { delay, exited, findExecutable, freezePid, onProcessExit, signalPid, spawnTracked, stopProcess } from './process.js';

const INSTALL_HINT =
  'install it with: DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zookeeper ' +
  '(that also brings a Java runtime); tests need a real ZooKeeper and do not skip without one';

export interface StartZooKeeperOptions {
  /** ZooKeeper's tick; session timeouts are clamped to [min, max] below. Default 500 ms. */
  readonly tickTimeMs?: number;
  /** Default 1000 ms (so a 1 s or 2 s session is granted as asked). */
  readonly minSessionTimeoutMs?: number;
  /** Default 30000 ms. */
  readonly maxSessionTimeoutMs?: number;
  /** How long to wait for `ruok` → `imok`. Default 30 s (a cold JVM on a busy machine). */
  readonly readyTimeoutMs?: number;
  /** Path of zookeeper.jar; default `/usr/share/java/zookeeper.jar` (Debian's package). */
  readonly jar?: string;
  /** The java binary; default `java` from PATH. */
  readonly java?: string;
}

export interface ZooKeeperServer {
  /** `127.0.0.1:<port>`, what a client's connect string wants. */
  readonly connectString: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** The JVM's PID while it runs, else null. */
  readonly pid: number | null;
  /** Where the server's output goes, for post-mortems. */
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 3 s; the data stays. */
  stop(): Promise<void>;
  /** Starts again on the same port and data, and waits until it answers `imok`. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): Promise<void>;
  /** Stops the server and removes its temporary directory. */
  close(): Promise<void>;
}

const DEFAULT_JAR = '/usr/share/java/zookeeper.jar';
/** Optional: a logging binding, so the server's warnings land in the log file instead of nowhere. */
const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';

export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<ZooKeeperServer> {
  const jar = options.jar ?? DEFAULT_JAR;
  const java = findExecutable(options.java ?? 'java');
  if (!existsSync(jar)) throw new Error(`ZooKeeper is not installed (${jar} not found): ${INSTALL_HINT}`);
  if (!java) throw new Error(`no java on PATH, so ZooKeeper cannot run: ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-zk-'));
  const forget = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  // A free port can be taken by someone else between probing and binding: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new ZooKeeperProcess(dir, port, java, jar, options);
    try {
      await server.start();
      server.onClose(forget);
      return server;
    } catch (error) {
      lastError = error;
      await server.stop().catch(() => undefined);
      if (!server.lastLogMentions('Address already in use')) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  forget();
  throw lastError;
}

class ZooKeeperProcess implements ZooKeeperServer {
  readonly host = '127.0.0.1';
  readonly dataDir: string;
  readonly logFile: string;
  private readonly config: string;
  private child: ChildProcess | null = null;
  private guard: ChildProcess | null = null;
  private closeHook: () => void = () => undefined;

  constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly java: string,
    private readonly jar: string,
    private readonly options: StartZooKeeperOptions,
  ) {
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'zookeeper.log');
    this.config = join(dir, 'zoo.cfg');
    writeFileSync(
      this.config,
      [
        `tickTime=${options.tickTimeMs ?? 500}`,
        `dataDir=${this.dataDir}`,
        `clientPort=${port}`,
        `clientPortAddress=${this.host}`,
        // Else the admin server takes port 8080, which other clusters on this host may hold.
        'admin.enableServer=false',
        '4lw.commands.whitelist=ruok,srvr,stat,mntr',
        `minSessionTimeout=${options.minSessionTimeoutMs ?? 1000}`,
        `maxSessionTimeout=${options.maxSessionTimeoutMs ?? 30000}`,
        '',
      ].join('\n'),
    );
  }

  get connectString(): string {
    return `${this.host}:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const classpath = [this.jar, ...(existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : [])].join(':');
    const log = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawnTracked(
        this.java,
        [
          '-Xmx256m',
          '-XX:-UsePerfData',
          '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
          '-cp',
          classpath,
          'org.apache.zookeeper.server.ZooKeeperServerMain',
          this.config,
        ],
        { cwd: this.dir, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${this.java}: ${INSTALL_HINT}`);
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    this.guard = spawnGuard(pid);
    await this.waitReady(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.stopGuard();
    if (!child) return;
    // SIGTERM (plus SIGCONT, in case it is frozen), SIGKILL after 3 s.
    await stopProcess(child, 3000);
    await exited(child);
  }

  async freeze(): Promise<void> {
    await freezePid(this.requirePid('freeze'), 'ZooKeeper');
  }

  async thaw(): Promise<void> {
    const pid = this.requirePid('thaw');
    signalPid(pid, 'SIGCONT');
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.closeHook();
  }

  onClose(hook: () => void): void {
    this.closeHook = hook;
  }

  lastLogMentions(text: string): boolean {
    try {
      return readFileSync(this.logFile, 'utf8').includes(text);
    } catch {
      return false;
    }
  }

  private requirePid(what: string): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`cannot ${what} ZooKeeper on port ${this.port}: it is not running`);
    return pid;
  }

  private stopGuard(): void {
    const guard = this.guard;
    this.guard = null;
    if (guard?.pid !== undefined) signalPid(guard.pid, 'SIGKILL');
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    const started = Date.now();
    for (;;) {
      if (this.child !== child) {
        throw new Error(`ZooKeeper on port ${this.port} exited before it was ready; its log:\n${this.logTail()}`);
      }
      // `imok` comes before the server takes requests; `srvr` shows a mode only once it does.
      if ((await fourLetterWord(this.host, this.port, 'ruok', 1000).catch(() => '')) === 'imok') {
        if (/^Mode: /m.test(await fourLetterWord(this.host, this.port, 'srvr', 1000).catch(() => ''))) return;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`ZooKeeper on port ${this.port} did not answer "imok" within ${timeoutMs} ms; its log:\n${this.logTail()}`);
      }
      await delay(100);
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

/**
 * A shell that blocks reading a pipe from us; when the pipe closes (this process died,
 * however it died) it SIGKILLs the JVM. Detached from our event loop so it never keeps
 * the test process alive.
 */
function spawnGuard(pid: number): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', 'while read -r _line; do :; done; kill -KILL "$1" 2>/dev/null', 'pgwarden-zk-guard', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.unref();
  const stdin = guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  // Writing nothing keeps the pipe open; an EPIPE after the guard died is not our concern.
  guard.stdin?.on('error', () => undefined);
  return guard;
}

/** Sends a four-letter command (`ruok`, `srvr`, `mntr`…) and returns the whole answer. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to "${word}" from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}



