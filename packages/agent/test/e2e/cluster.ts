/**
 * End-to-end harness: a real DCS (etcd unless told otherwise: dcs.ts), real PostgreSQL
 * 15 and `pgwarden` agents as separate processes (`node bin/pgwarden.js node.yml`). When
 * the tests run as root, each agent runs as the `postgres` user (uid/gid from
 * /etc/passwd) so it can start Postgres itself, with every file under a temp dir that
 * user owns. Every agent and postmaster is killed by PID at cleanup, even when a test
 * fails.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exited,
  freePort,
  isRunning,
  killPostmasterSync,
  lookupOsUser,
  onProcessExit,
  postgresBinDir,
  postmasterPidOf,
  spawnTracked,
  type EtcdCluster,
} from '@pgwarden/testkit';
import { defaultFenceStateDir } from '@pgwarden/core';
import { startDcs, type DcsKind, type E2eDcs } from './dcs.js';

const here = dirname(fileURLToPath(import.meta.url));
export const AGENT_BIN = resolve(here, '../../bin/pgwarden.js');
export const SUPERUSER = { username: 'postgres', password: 'su-e2e-pass' };
export const REPLICATION = { username: 'replicator', password: 'rep-e2e-pass' };
export const SCOPE = 'e2e';

/** The postgres user's ids when we are root; null otherwise (the agent then runs as us). */
function agentUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const user = lookupOsUser('postgres');
  if (!user) throw new Error("tests run as root but there is no 'postgres' user: apt-get install -y postgresql-15");
  return { uid: user.uid, gid: user.gid };
}

export interface AgentNode {
  readonly name: string;
  readonly dir: string;
  readonly dataDir: string;
  /** The fence's files (guard.pid, state, report): the agent's default place for them. */
  readonly fenceDir: string;
  readonly socketDir: string;
  readonly configPath: string;
  readonly pgPort: number;
  readonly apiPort: number;
  readonly apiUrl: string;
  process: ChildProcess | null;
  /** Everything the agent wrote on stdout/stderr, for failure messages. */
  output: string;
}

export interface ClusterOptions {
  /** Names the directory under /tmp/pgwarden-e2e-last where the agents' output is kept. */
  readonly label: string;
  readonly nodes: number;
  /** Extra top-level YAML appended to every node's file. */
  readonly extraYaml?: string;
  /** The DCS the agents run on; default etcd. */
  readonly dcs?: DcsKind;
  /** bootstrap.dcs timing; default ttl 20, loop_wait 1, retry_timeout 3. */
  readonly timing?: ClusterTiming;
  /**
   * The agent to run instead of pgwarden, as argv before the config path (e.g.
   * `['/usr/bin/patroni']` for the benchmark's comparison); default `node bin/pgwarden.js`.
   */
  readonly agentCommand?: readonly string[];
  /** The cluster's scope; default `e2e`. Two clusters on one DCS need two scopes. */
  readonly scope?: string;
  /** Node names are `<namePrefix><i>`; default `node`. */
  readonly namePrefix?: string;
  /** Run on another cluster's DCS (it stays up until that cluster closes). */
  readonly sharedDcs?: E2eDcs;
  /** Extra YAML lines for bootstrap.dcs, indented by 4 spaces (e.g. a standby_cluster section). */
  readonly bootstrapDcsYaml?: string;
}

/** bootstrap.dcs's ttl, loop_wait and retry_timeout, in seconds. */
export interface ClusterTiming {
  readonly ttl: number;
  readonly loopWait: number;
  readonly retryTimeout: number;
}

export const DEFAULT_TIMING: ClusterTiming = { ttl: 20, loopWait: 1, retryTimeout: 3 };

export class E2eCluster {
  readonly nodes: AgentNode[] = [];
  private readonly user = agentUser();
  private removeExitHook: (() => void) | null = null;

  private constructor(
    readonly root: string,
    readonly dcs: E2eDcs,
    private readonly label: string,
    private readonly agentCommand: readonly string[] | null = null,
    private readonly ownsDcs = true,
    readonly scope = SCOPE,
  ) {}

  /** The etcd cluster, for scenarios that act on it; only when the cluster runs on etcd. */
  get etcd(): EtcdCluster {
    if (this.dcs.kind !== 'etcd') throw new Error(`this cluster runs on ${this.dcs.kind}, not etcd`);
    return this.dcs.server;
  }

  static async create(options: ClusterOptions): Promise<E2eCluster> {
    postgresBinDir(); // fails with an install hint when PostgreSQL 15 is missing
    const root = mkdtempSync('/tmp/pgwarden-e2e-');
    const dcs = options.sharedDcs ?? (await startDcs(options.dcs ?? 'etcd'));
    const cluster = new E2eCluster(root, dcs, options.label, options.agentCommand ?? null, !options.sharedDcs, options.scope ?? SCOPE);
    cluster.removeExitHook = onProcessExit(() => cluster.killAllSync());
    cluster.own(root);
    const bootstrapDcs = options.bootstrapDcsYaml ?? '';
    for (let i = 1; i <= options.nodes; i++) {
      await cluster.addNode(`${options.namePrefix ?? 'node'}${i}`, options.extraYaml ?? '', options.timing ?? DEFAULT_TIMING, bootstrapDcs);
    }
    return cluster;
  }

  /** The agent's user must own its files; the checkout must be readable to it. */
  private own(path: string): void {
    if (this.user) chownSync(path, this.user.uid, this.user.gid);
  }

  private async addNode(name: string, extraYaml: string, timing: ClusterTiming, bootstrapDcs: string): Promise<AgentNode> {
    const dir = join(this.root, name);
    mkdirSync(dir, { mode: 0o755 });
    this.own(dir);
    const pgPort = await freePort();
    const apiPort = await freePort();
    const node: AgentNode = {
      name,
      dir,
      dataDir: join(dir, 'data'),
      fenceDir: defaultFenceStateDir(join(dir, 'data')),
      socketDir: dir,
      configPath: join(dir, 'patroni.yml'),
      pgPort,
      apiPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      process: null,
      output: '',
    };
    writeFileSync(node.configPath, nodeYaml(node, this.dcs.yaml, extraYaml, timing, this.scope, bootstrapDcs));
    this.own(node.configPath);
    this.nodes.push(node);
    return node;
  }

  node(name: string): AgentNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Starts `pgwarden <node>/patroni.yml` (or the `agentCommand`) as a separate process. */
  start(node: AgentNode, args: readonly string[] = []): ChildProcess {
    const [command, ...commandArgs] = this.agentCommand ?? [process.execPath, AGENT_BIN];
    if (!this.agentCommand) accessSync(AGENT_BIN, constants.R_OK);
    const child = spawnTracked(command!, [...commandArgs, ...args, node.configPath], {
      cwd: node.dir,
      env: { ...process.env, HOME: node.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.user ?? {}),
    });
    const keep = (chunk: Buffer): void => {
      node.output = (node.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    node.process = child;
    return child;
  }

  /** SIGTERM and wait for the agent (Patroni's shutdown sequence runs). */
  async stop(node: AgentNode, graceMs = 30_000): Promise<number | null> {
    const child = node.process;
    if (!child || !isRunning(child)) return child?.exitCode ?? null;
    process.kill(child.pid!, 'SIGTERM');
    const done = await Promise.race([exited(child).then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) process.kill(child.pid!, 'SIGKILL');
    await exited(child);
    return child.exitCode;
  }

  /** A lost host: SIGKILL the agent and its postmaster (with every backend) at once. */
  async killHost(node: AgentNode): Promise<void> {
    const child = node.process;
    if (child?.pid && isRunning(child)) process.kill(child.pid, 'SIGKILL');
    killPostmasterSync(node.dataDir);
    if (child) await exited(child);
  }

  postmasterPid(node: AgentNode): number | null {
    return postmasterPidOf(node.dataDir);
  }

  killAllSync(): void {
    for (const n of this.nodes) {
      const pid = n.process?.pid;
      if (pid && n.process && isRunning(n.process)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      killPostmasterSync(n.dataDir);
      killFenceGuardSync(n);
    }
  }

  async close(): Promise<void> {
    this.killAllSync();
    // Keep the agents' output of the last run for post-mortems.
    const keep = join('/tmp/pgwarden-e2e-last', this.label);
    mkdirSync(keep, { recursive: true });
    for (const n of this.nodes) {
      writeFileSync(join(keep, `${n.name}.log`), n.output);
      // The postmaster's own log (the controller writes it next to the data directory).
      try {
        writeFileSync(join(keep, `${n.name}.postgres.log`), readFileSync(`${n.dataDir}.log`).subarray(-200_000));
      } catch {
        /* never started */
      }
    }
    for (const n of this.nodes) if (n.process) await exited(n.process);
    if (this.ownsDcs) await this.dcs.close();
    this.removeExitHook?.();
    for (const n of this.nodes) rmSync(n.fenceDir, { recursive: true, force: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}

function nodeYaml(node: AgentNode, dcsYaml: string, extraYaml: string, timing: ClusterTiming, scope: string, bootstrapDcs: string): string {
  return `scope: ${scope}
namespace: /service
name: ${node.name}
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${node.apiPort}
  connect_address: 127.0.0.1:${node.apiPort}
${dcsYaml}bootstrap:
  dcs:
    ttl: ${timing.ttl}
    loop_wait: ${timing.loopWait}
    retry_timeout: ${timing.retryTimeout}
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        max_connections: 50
${bootstrapDcs}  initdb:
    - encoding: UTF8
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 md5
    - host replication ${REPLICATION.username} 127.0.0.1/32 md5
postgresql:
  listen: 127.0.0.1:${node.pgPort}
  connect_address: 127.0.0.1:${node.pgPort}
  data_dir: ${node.dataDir}
  bin_dir: ${postgresBinDir()}
  pgpass: ${join(node.dir, 'pgpass')}
  authentication:
    superuser:
      username: ${SUPERUSER.username}
      password: ${SUPERUSER.password}
    replication:
      username: ${REPLICATION.username}
      password: ${REPLICATION.password}
  parameters:
    unix_socket_directories: ${node.socketDir}
    fsync: 'off'
    synchronous_commit: 'on'
    # Tests SIGKILL postmasters; segments in /dev/shm (the default, posix) would outlive them.
    dynamic_shared_memory_type: mmap
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 md5
    - host replication ${REPLICATION.username} 127.0.0.1/32 md5
pgwarden:
  fence: on
tags:
  nofailover: false
  zone: ${node.name}-zone
${extraYaml}`;
}

/** The fence's guard process (see core's fence) outlives a killed agent by design; not the test. */
function killFenceGuardSync(node: AgentNode): void {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(node.fenceDir, 'guard.pid'), 'utf8').trim().split(' ')[0]);
  } catch {
    return;
  }
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('guard')) process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a truthy value; fails with `what` (and the last error) after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000, stepMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** One SQL statement through psql over TCP (psql runs fine as root); rows as tab-separated lines. */
export function psql(node: AgentNode, sql: string): string[] {
  const r = spawnSync(join(postgresBinDir(), 'psql'), ['-h', '127.0.0.1', '-p', String(node.pgPort), '-U', SUPERUSER.username, '-d', 'postgres', '-XAtq', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    env: { ...process.env, PGPASSWORD: SUPERUSER.password, PGCONNECT_TIMEOUT: '3' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (r.status !== 0) throw new Error(`psql on ${node.name}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}
