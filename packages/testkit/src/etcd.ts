/**
 * Real etcd servers for tests: one or three members on free loopback ports, each in its
 * own temporary data directory, with the fast election timing the DCS tests rely on
 * (heartbeat 100 ms, election timeout 1 s, hence a minimum lease TTL of about 2 s).
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { findExecutable, isRunning, killProcess, onProcessExit, signal, spawnTracked, stopProcess } from './process.js';

export const ETCD_INSTALL_HINT = 'apt-get install -y etcd-server etcd-client';

export interface StartEtcdOptions {
  /** 1 (default) or 3 members. */
  readonly members?: 1 | 3;
  /** The etcd binary: a name looked up on PATH, or a path. Default `etcd`. */
  readonly binary?: string;
  /** PATH used to look the binary up; default the test process's PATH. */
  readonly path?: string;
  /** How long to wait for every member to report healthy; default 15 s. */
  readonly startTimeoutMs?: number;
  /** Extra command-line flags for every member (e.g. `--auto-compaction-retention`). */
  readonly extraArgs?: readonly string[];
}

export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:<client port>` */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** PID of the running process, or null when stopped. */
  readonly pid: number | null;
  readonly running: boolean;
  /** SIGTERM by PID, wait for exit, SIGKILL after 5 s. Data stays on disk. */
  stop(): Promise<void>;
  /** Starts again on the same ports and data directory; waits until healthy. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): Promise<void>;
  /** SIGKILL, as a crashed host. */
  kill(): Promise<void>;
  /** The last lines etcd logged. */
  logTail(lines?: number): string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member. */
  readonly endpoints: readonly string[];
  /** `127.0.0.1:<port>` of every member, as patroni.yml's `etcd3.hosts` takes them. */
  readonly hosts: readonly string[];
  /** The member that is raft leader now (waits up to `timeoutMs` for an election to settle). */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** Stops every member one after another and removes the temporary directory. */
  close(): Promise<void>;
}

export class EtcdStartError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtcdStartError';
    this.code = code;
  }
}

interface MemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

class Member implements EtcdMember {
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  private readonly logFile: string;
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: readonly string[],
    spec: MemberSpec,
    root: string,
    private readonly startTimeoutMs: number,
  ) {
    this.clientUrl = `http://127.0.0.1:${spec.clientPort}`;
    this.peerUrl = `http://127.0.0.1:${spec.peerPort}`;
    this.dataDir = join(root, name);
    this.logFile = join(root, `${name}.log`);
    mkdirSync(this.dataDir, { mode: 0o700 });
  }

  get pid(): number | null {
    return this.child && isRunning(this.child) ? (this.child.pid ?? null) : null;
  }

  get running(): boolean {
    return this.pid !== null;
  }

  /** Spawns the process without waiting for it to be healthy. */
  spawn(): void {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawnTracked(this.binary, this.args, { stdio: ['ignore', fd, fd], env: process.env });
    } finally {
      closeSync(fd);
    }
    this.child.once('error', () => {});
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitHealthy(this.startTimeoutMs);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new EtcdStartError('etcd-exited', `etcd member ${this.name} exited during start-up.\n${this.logTail()}`);
      }
      try {
        const response = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        const body = await response.text();
        if (isHealthy(body)) return;
        last = `GET /health answered ${response.status} ${body.trim()}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(50);
    }
    throw new EtcdStartError(
      'etcd-start-timeout',
      `etcd member ${this.name} (${this.clientUrl}) not healthy after ${timeoutMs} ms (${last}).\n${this.logTail()}`,
    );
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }

  async freeze(): Promise<void> {
    if (this.child) signal(this.child, 'SIGSTOP');
  }

  async thaw(): Promise<void> {
    if (this.child) signal(this.child, 'SIGCONT');
  }

  async kill(): Promise<void> {
    if (this.child) await killProcess(this.child);
  }

  logTail(lines = 20): string {
    try {
      const text = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return `--- last lines of ${this.logFile} ---\n${text.slice(-lines).join('\n')}`;
    } catch {
      return `(no log at ${this.logFile})`;
    }
  }

  /** `member_id` and the leader's id, from the JSON gateway's maintenance status. */
  async status(): Promise<{ id: string; leader: string }> {
    const response = await fetch(`${this.clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { header?: { member_id?: string }; leader?: string };
    return { id: body.header?.member_id ?? '', leader: body.leader ?? '0' };
  }
}

function isHealthy(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { health?: unknown };
    return parsed.health === 'true' || parsed.health === true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The etcd binary's path, or an error that says how to install it. */
export function findEtcdBinary(binary = 'etcd', path?: string): string {
  const found = findExecutable(binary, path);
  if (!found) {
    throw new EtcdStartError(
      'etcd-missing',
      `etcd binary "${binary}" not found${binary.includes('/') ? '' : ' on PATH'}. Install it: ${ETCD_INSTALL_HINT}`,
    );
  }
  return found;
}

/** Starts an etcd cluster on free loopback ports and waits until every member is healthy. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const binary = findEtcdBinary(options.binary, options.path);
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const root = mkdtempSync(join(tmpdir(), 'pgwarden-etcd-'));
  const removeRoot = (): void => rmSync(root, { recursive: true, force: true });
  const unhook = onProcessExit(removeRoot);

  const ports = await freePorts(count * 2);
  const specs: MemberSpec[] = Array.from({ length: count }, (_, i) => ({
    name: `e${i}`,
    clientPort: ports[2 * i]!,
    peerPort: ports[2 * i + 1]!,
  }));
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const members = specs.map((spec) => {
    const client = `http://127.0.0.1:${spec.clientPort}`;
    const peer = `http://127.0.0.1:${spec.peerPort}`;
    const args = [
      '--name', spec.name,
      '--data-dir', join(root, spec.name),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `pgwarden-${specs[0]!.clientPort}`,
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      '--log-level', 'warn',
      ...(options.extraArgs ?? []),
    ];
    return new Member(spec.name, binary, args, spec, root, startTimeoutMs);
  });

  const close = async (): Promise<void> => {
    // One after another: stopping all members of a cluster at once makes each wait for
    // its peers and takes seconds.
    for (const member of members) await member.stop();
    removeRoot();
    unhook();
  };

  try {
    // A member of a new multi-member cluster is healthy only once a quorum is up, so
    // spawn them all before waiting on any.
    for (const member of members) member.spawn();
    await Promise.all(members.map((m) => m.waitHealthy(startTimeoutMs)));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    hosts: members.map((m) => m.clientUrl.replace(/^http:\/\//, '')),
    close,
    async leader(timeoutMs = 10_000): Promise<EtcdMember> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const statuses = await Promise.all(
          members.filter((m) => m.running).map((m) => m.status().then((s) => ({ member: m, ...s }), () => null)),
        );
        for (const s of statuses) {
          if (!s || s.leader === '0') continue;
          const leader = statuses.find((other) => other && other.id === s.leader);
          if (leader) return leader.member;
        }
        await sleep(50);
      }
      throw new EtcdStartError('etcd-no-leader', `no etcd member reported a raft leader within ${timeoutMs} ms`);
    },
  };
}
