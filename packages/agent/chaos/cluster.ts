/**
 * A real cluster for chaos trials: a three-member etcd (testkit), three pgwarden agents,
 * each with the Postgres it manages in its own network namespace, and the latency
 * proxies in between. The agents run as the `postgres` user (`ip netns exec` enters the
 * namespace as root, `setpriv` then drops to that user before exec), so the PID we hold
 * is the agent's own and can be stopped, continued or killed directly.
 */
import { type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  exited,
  findExecutable,
  isRunning,
  killPostmasterSync,
  lookupOsUser,
  postmasterPidOf,
  signalPid,
  spawnTracked,
  startEtcd,
  type EtcdCluster,
} from '@pgwarden/testkit';
import { AGENT_BIN } from '../test/e2e/cluster.js';
import { etcdGet } from '../test/e2e/requests.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import { createNetwork, removeNetwork, type ChaosNetwork } from './network.js';
import { API_PORT, CHAOS_SCOPE, PG_PORT, chaosNodeConfig, type SyncMode } from './node-config.js';
import { ChaosSetupError } from './shell.js';

export interface ChaosNode {
  readonly index: number;
  readonly name: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly address: string;
  readonly namespace: string;
  readonly configPath: string;
  /** The agent's wall-clock offset for libfaketime, e.g. `+0` or `-3600`. */
  readonly clockFile: string;
  readonly apiUrl: string;
  readonly etcdProxies: readonly DelayProxy[];
  readonly replicationProxy: DelayProxy;
  agent: ChildProcess | null;
}

/**
 * libfaketime gives an agent its own wall clock, which a clock-jump fault moves through
 * the file named in FAKETIME_TIMESTAMP_FILE (re-read every second). Only `node` (the
 * agent) is affected: Postgres, the guard and the tools the agent runs keep the real
 * time, and CLOCK_MONOTONIC, which the agent's leases and deadlines use, never moves.
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * Given to `env` after setpriv has dropped to the postgres user: libfaketime keeps a
 * semaphore per process tree, which the agent could not open had root's `ip` and
 * `setpriv` loaded the library first.
 */
function fakeClockEnv(clockFile: string): string[] {
  return [
    `LD_PRELOAD=${LIBFAKETIME}`,
    `FAKETIME_TIMESTAMP_FILE=${clockFile}`,
    'FAKETIME_CACHE_DURATION=1',
    'FAKETIME_ONLY_CMDS=node',
    'DONT_FAKE_MONOTONIC=1',
  ];
}

const REQUIRED_TOOLS: readonly [string, string][] = [
  ['ip', 'apt-get install -y iproute2'],
  ['nft', 'apt-get install -y nftables'],
  ['setpriv', 'apt-get install -y util-linux'],
];

function checkPrerequisites(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) throw new ChaosSetupError('the chaos runner creates network namespaces and must run as root');
  for (const [tool, hint] of REQUIRED_TOOLS) {
    if (!findExecutable(tool, `${process.env.PATH ?? ''}:/usr/sbin:/sbin`)) throw new ChaosSetupError(`'${tool}' not found: ${hint}`);
  }
  if (!existsSync(LIBFAKETIME)) throw new ChaosSetupError(`${LIBFAKETIME} not found (clock-jump faults): apt-get install -y libfaketime`);
  const user = lookupOsUser('postgres');
  if (!user) throw new ChaosSetupError("no 'postgres' user to run the agents as: apt-get install -y postgresql-15");
  return { uid: user.uid, gid: user.gid };
}

export class ChaosCluster {
  readonly nodes: ChaosNode[] = [];
  private readonly logs = new Map<string, WriteStream>();

  private constructor(
    readonly root: string,
    readonly net: ChaosNetwork,
    readonly etcd: EtcdCluster,
    private readonly user: { uid: number; gid: number },
  ) {}

  /** Builds the network, starts etcd and writes every node's config; agents start with `startAgent`. */
  static async create(root: string, net: ChaosNetwork, mode: SyncMode): Promise<ChaosCluster> {
    const user = checkPrerequisites();
    createNetwork(net);
    let etcd: EtcdCluster;
    try {
      etcd = await startEtcd({ members: 3 });
    } catch (error) {
      removeNetwork(net);
      throw error;
    }
    const cluster = new ChaosCluster(root, net, etcd, user);
    try {
      mkdirSync(root, { recursive: true, mode: 0o755 });
      chownSync(root, user.uid, user.gid);
      for (let i = 0; i < net.namespaces.length; i++) await cluster.addNode(i, mode);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private async addNode(index: number, mode: SyncMode): Promise<void> {
    const name = `node${index + 1}`;
    const dir = join(this.root, name);
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, this.user.uid, this.user.gid);
    const address = this.net.addresses[index]!;
    const etcdProxies = await Promise.all(
      this.etcd.hosts.map((h) => startDelayProxy({ listenHost: this.net.hostAddress, upstreamHost: '127.0.0.1', upstreamPort: Number(h.split(':')[1]) })),
    );
    const replicationProxy = await startDelayProxy({
      listenHost: this.net.hostAddress,
      upstreamHost: address,
      upstreamPort: PG_PORT,
      localAddress: this.net.proxySourceAddress,
    });
    const configPath = join(dir, 'patroni.yml');
    const spec = {
      name,
      dir,
      address,
      subnet: this.net.subnet,
      etcdHosts: etcdProxies.map((p) => `${this.net.hostAddress}:${p.port}`),
      replicationAddress: `${this.net.hostAddress}:${replicationProxy.port}`,
    };
    writeFileSync(configPath, chaosNodeConfig(spec, mode));
    chownSync(configPath, this.user.uid, this.user.gid);
    const clockFile = join(dir, 'faketime');
    writeFileSync(clockFile, '+0\n');
    this.nodes.push({
      index,
      name,
      dir,
      dataDir: join(dir, 'data'),
      address,
      namespace: this.net.namespaces[index]!,
      configPath,
      clockFile,
      apiUrl: `http://${address}:${API_PORT}`,
      etcdProxies,
      replicationProxy,
      agent: null,
    });
  }

  /** The agent's output goes to <root>/<node>.agent.log, appended across restarts. */
  startAgent(node: ChaosNode): void {
    if (node.agent && isRunning(node.agent)) return;
    const args = ['netns', 'exec', node.namespace, 'setpriv', `--reuid=${this.user.uid}`, `--regid=${this.user.gid}`, '--clear-groups', '--', 'env', ...fakeClockEnv(node.clockFile), process.execPath, AGENT_BIN, node.configPath];
    const child = spawnTracked('ip', args, { cwd: node.dir, env: { ...process.env, HOME: node.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = this.logs.get(node.name);
    if (!log) {
      log = createWriteStream(join(this.root, `${node.name}.agent.log`), { flags: 'a' });
      this.logs.set(node.name, log);
    }
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    node.agent = child;
  }

  /** Moves the agent's wall clock `seconds` away from the real time (0: back to it). */
  setClockOffset(node: ChaosNode, seconds: number): void {
    writeFileSync(node.clockFile, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  }

  agentPid(node: ChaosNode): number | null {
    return node.agent && isRunning(node.agent) ? node.agent.pid! : null;
  }

  postmasterPid(node: ChaosNode): number | null {
    return postmasterPidOf(node.dataDir);
  }

  /** The fence's guard (pid in <fence_dir>/guard.pid), when one runs. */
  guardPid(node: ChaosNode): number | null {
    try {
      const pid = Number(readFileSync(join(node.dir, 'fence', 'guard.pid'), 'utf8').trim().split(' ')[0]);
      return pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('guard') ? pid : null;
    } catch {
      return null;
    }
  }

  /** The name in the leader key, read straight from etcd; null when unlocked or etcd has no quorum. */
  async leaderName(): Promise<string | null> {
    try {
      return await etcdGet(this.etcd.hosts, `/service/${CHAOS_SCOPE}/leader`);
    } catch {
      return null;
    }
  }

  /** `GET /patroni` of a node, or null when it does not answer within a second. */
  async status(node: ChaosNode): Promise<Record<string, unknown> | null> {
    try {
      const res = await fetch(`${node.apiUrl}/patroni`, { signal: AbortSignal.timeout(1000) });
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** Every process of the trial dies, stopped ones included (SIGCONT first, so SIGKILL is not queued behind a stop). */
  killAllSync(): void {
    for (const n of this.nodes) {
      for (const pid of [this.agentPid(n), this.guardPid(n), this.postmasterPid(n)]) {
        if (pid === null) continue;
        signalPid(pid, 'SIGCONT');
        signalPid(pid, 'SIGKILL');
      }
      killPostmasterSync(n.dataDir);
    }
    for (const m of this.etcd.members) if (m.pid !== null) signalPid(m.pid, 'SIGCONT');
  }

  async close(): Promise<void> {
    this.killAllSync();
    for (const n of this.nodes) if (n.agent) await exited(n.agent);
    for (const n of this.nodes) await Promise.all([...n.etcdProxies, n.replicationProxy].map((p) => p.close()));
    for (const log of this.logs.values()) log.end();
    await this.etcd.close();
    removeNetwork(this.net);
  }
}
