/**
 * Memory and CPU of running agents: a three-node cluster (real etcd, PostgreSQL 15) is
 * started and left idle; over the window each agent's RSS is sampled every second and
 * its CPU time read from /proc. At the end a small module loaded into each agent
 * (`--import`, it only installs a SIGUSR2 handler) writes the agent's own
 * `process.memoryUsage()` and V8 heap spaces to a file, read back here.
 */
import { mkdirSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { E2eCluster, type AgentNode } from '../test/e2e/cluster.js';
import { now, sleep, until } from './clock.js';
import { waitHealthy } from './health.js';
import type { Timing } from './metrics.js';
import { mainThreadCpuNs } from './proc-cpu.js';

/**
 * Counts garbage collections by kind (scavenges of the young generation, full mark-compacts)
 * and their time; answers SIGUSR2 with `$HOME/memory-probe.json` (HOME is the node's
 * directory in the harness) and starts counting afresh. The counts after the first
 * SIGUSR2 therefore cover the window.
 */
const PROBE = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';
let gc = { scavenges: 0, fullGcs: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
    else if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.fullGcs++;
    gc.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  writeFileSync(process.env.HOME + '/memory-probe.json', JSON.stringify({ ...process.memoryUsage(), spaces, gc }));
  gc = { scavenges: 0, fullGcs: 0, ms: 0 };
});`)}`;

interface ProbeAnswer {
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly spaces: Record<string, number>;
  readonly gc: { readonly scavenges: number; readonly fullGcs: number; readonly ms: number };
}

export interface AgentFigures {
  readonly name: string;
  readonly leader: boolean;
  readonly rssMb: number;
  readonly maxRssMb: number;
  readonly anonMb: number;
  readonly fileMb: number;
  readonly heapCommittedMb: number;
  readonly heapUsedMb: number;
  readonly newSpaceMb: number;
  readonly oldSpaceMb: number;
  readonly codeSpaceMb: number;
  readonly externalMb: number;
  readonly cpuPercent: number;
  /** Garbage collections over the window, and the time they took (main thread). */
  readonly scavenges: number;
  readonly fullGcs: number;
  readonly gcMs: number;
}

export interface AgentRunOptions {
  readonly label: string;
  readonly bin: string;
  readonly timing: Timing;
  readonly windowMs: number;
  /** NODE_OPTIONS for the agents (e.g. a V8 flag to compare), empty for none. */
  readonly nodeOptions: string;
  /** Write a CPU profile of each agent here (`--cpu-prof`), when set. */
  readonly profileDir: string | null;
  readonly log: (line: string) => void;
}

const MB = 1048576;

function kbField(text: string, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

function rssKb(pid: number): number {
  return kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
}


async function probe(node: AgentNode): Promise<ProbeAnswer> {
  const file = join(node.dir, 'memory-probe.json');
  rmSync(file, { force: true });
  process.kill(node.process!.pid!, 'SIGUSR2');
  return until(`${node.name}'s memory probe`, () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProbeAnswer;
    } catch {
      return null;
    }
  }, 10_000, 50);
}

export async function measureAgents(options: AgentRunOptions): Promise<AgentFigures[]> {
  const profile = options.profileDir ? join(options.profileDir, options.label) : null;
  if (profile) {
    mkdirSync(profile, { recursive: true });
    chmodSync(profile, 0o777); // the agents may run as the postgres user
  }
  const previous = process.env.NODE_OPTIONS;
  if (options.nodeOptions) process.env.NODE_OPTIONS = options.nodeOptions;
  else delete process.env.NODE_OPTIONS;
  const agentCommand = [process.execPath, '--import', PROBE, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), options.bin];
  const cluster = await E2eCluster.create({ label: `bench-memory-${options.label}`, nodes: 3, timing: options.timing, agentCommand });
  try {
    for (const n of cluster.nodes) cluster.start(n);
    const primary = await waitHealthy(cluster, 180_000);
    // Settle as the idle scenario does, then the window.
    await sleep(options.timing.loopWait * 1000 + 2000);
    options.log(`${options.label}: healthy (leader ${primary.name}); idle window ${options.windowMs / 1000} s`);
    const pids = cluster.nodes.map((n) => n.process!.pid!);
    for (const n of cluster.nodes) await probe(n); // restarts the GC counts
    const cpu0 = pids.map(mainThreadCpuNs);
    const maxRss = pids.map(rssKb);
    const t0 = now();
    while (now() - t0 < options.windowMs) {
      await sleep(Math.min(1000, options.windowMs - (now() - t0)));
      pids.forEach((pid, i) => (maxRss[i] = Math.max(maxRss[i]!, rssKb(pid))));
    }
    const seconds = (now() - t0) / 1000;
    const cpu1 = pids.map(mainThreadCpuNs);
    const figures: AgentFigures[] = [];
    for (const [i, node] of cluster.nodes.entries()) {
      const roll = readFileSync(`/proc/${pids[i]}/smaps_rollup`, 'utf8');
      const p = await probe(node);
      figures.push({
        name: node.name,
        leader: node === primary,
        rssMb: kbField(roll, 'Rss') / 1024,
        maxRssMb: maxRss[i]! / 1024,
        anonMb: kbField(roll, 'Anonymous') / 1024,
        fileMb: (kbField(roll, 'Rss') - kbField(roll, 'Anonymous')) / 1024,
        heapCommittedMb: p.heapTotal / MB,
        heapUsedMb: p.heapUsed / MB,
        newSpaceMb: (p.spaces['new_space'] ?? 0) / MB,
        oldSpaceMb: (p.spaces['old_space'] ?? 0) / MB,
        codeSpaceMb: (p.spaces['code_space'] ?? 0) / MB,
        externalMb: p.external / MB,
        cpuPercent: ((cpu1[i]! - cpu0[i]!) / 1e9 / seconds) * 100,
        scavenges: p.gc.scavenges,
        fullGcs: p.gc.fullGcs,
        gcMs: p.gc.ms,
      });
    }
    // A CPU profile is written when the agent exits by itself, not on the SIGKILL of close().
    if (profile) for (const n of cluster.nodes) await cluster.stop(n);
    return figures;
  } finally {
    if (previous === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = previous;
    await cluster.close();
  }
}
