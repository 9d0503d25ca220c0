/**
 * `pnpm soak [--minutes 30] [--no-stress] [--no-latency]`: three agents on the fast
 * profile (fast-profile.ts), real etcd and PostgreSQL 15, a writer on every node, CPU and
 * I/O stress from stress-ng and a latency proxy between the agents and etcd
 * (soak-proxy.ts). Nothing is injected that should cost the primary its lock, so every
 * leader change, lost lock and fence action it counts is spurious. Prints a summary and
 * exits 1 if any was seen (2 if the soak could not run).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { exited, findExecutable, isRunning, spawnTracked } from '@pgwarden/testkit';
import { E2eCluster } from '../test/e2e/cluster.js';
import { tails } from '../test/e2e/wait.js';
import { now, sleep } from './clock.js';
import { FAST_FENCE_MARGIN_S, FAST_PROFILE, applyNodeOverrides } from './fast-profile.js';
import { query, waitHealthy } from './health.js';
import { SOAK_LATENCY, startLatencyProxy, type LatencyProxy } from './soak-proxy.js';
import { SoakWatch, leaderLeaseTtl, longestWriteGapMs, overrunCycles } from './soak-watch.js';
import { CREATE_WRITE_TABLE, startWriters, stopWriters } from './writer.js';
import { runMain } from './run-main.js';

interface SoakArgs {
  readonly minutes: number;
  readonly stress: boolean;
  readonly latency: boolean;
}

const USAGE = 'usage: pnpm soak [--minutes 30] [--no-stress] [--no-latency] [--no-build]';

function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let minutes = 30;
  let stress = true;
  let latency = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '--no-build') continue;
    if (a === '--minutes') {
      minutes = Number(argv[++i]);
      if (!(minutes > 0)) throw new Error(`--minutes needs a positive number of minutes\n${USAGE}`);
    } else if (a === '--no-stress') stress = false;
    else if (a === '--no-latency') latency = false;
    else throw new Error(`${a === '--help' || a === '-h' ? '' : `unknown argument ${a}\n`}${USAGE}`);
  }
  return { minutes, stress, latency };
}

/** Two CPU hogs at 70 % and one I/O + one disk writer, for the whole soak. */
function startStress(dir: string, seconds: number): ChildProcess {
  const bin = findExecutable('stress-ng');
  if (!bin) throw new Error('stress-ng not found: apt-get install -y stress-ng (or run with --no-stress)');
  const args = ['--cpu', String(cpus().length), '--cpu-load', '70', '--io', '1', '--hdd', '1', '--hdd-bytes', '64M', '--temp-path', dir, '--timeout', `${seconds}s`, '--quiet'];
  return spawnTracked(bin, args, { stdio: 'ignore' });
}

const fmtLoad = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<number> {
  const args = parseSoakArgs(process.argv.slice(2));
  const started = now();
  const log = (line: string): void => void process.stderr.write(`[soak +${Math.round((now() - started) / 1000)}s] ${line}\n`);
  const cluster = await E2eCluster.create({ label: 'soak', nodes: 3, timing: FAST_PROFILE });
  let proxy: LatencyProxy | null = null;
  let stress: ChildProcess | null = null;
  const stressDir = mkdtempSync('/tmp/pgwarden-soak-stress-');
  try {
    if (args.latency) proxy = await startLatencyProxy(cluster.etcd.hosts[0]!, SOAK_LATENCY);
    applyNodeOverrides(cluster, { fenceMarginS: FAST_FENCE_MARGIN_S, ...(proxy && { etcdHosts: [proxy.address] }) });
    for (const n of cluster.nodes) cluster.start(n);
    const leader = await waitHealthy(cluster, 180_000);
    log(`healthy, leader ${leader.name}; ttl ${FAST_PROFILE.ttl}, loop_wait ${FAST_PROFILE.loopWait}, retry_timeout ${FAST_PROFILE.retryTimeout}, fence_margin ${FAST_FENCE_MARGIN_S}`);
    const grantedTtl = await leaderLeaseTtl(cluster);
    if (grantedTtl !== FAST_PROFILE.ttl) log(`WARNING: the leader's lease was granted ${grantedTtl} s, not ttl ${FAST_PROFILE.ttl}: the agents raised the ttl (see their logs)`);
    await query(leader, CREATE_WRITE_TABLE);
    const writers = startWriters(cluster.nodes);
    if (args.stress) stress = startStress(stressDir, Math.ceil(args.minutes * 60) + 30);
    const t0 = now();
    const watch = new SoakWatch(cluster, started, leader.name);
    const loads: number[] = [];
    let nextLoad = t0;
    while (now() - t0 < args.minutes * 60_000) {
      await watch.poll();
      if (now() >= nextLoad) {
        loads.push(loadavg()[0]!);
        nextLoad += 60_000;
        log(`load ${fmtLoad(loadavg())}, leader changes ${watch.leaderChanges}, fence fires ${watch.fenceFires}`);
      }
      await sleep(250);
    }
    const t1 = now();
    if (stress && isRunning(stress)) stress.kill('SIGTERM');
    await stopWriters(writers);
    const acks = writers.reduce((s, w) => s + w.acks.filter((a) => a >= t0 && a <= t1).length, 0);
    const p = proxy?.stats();
    const spurious = watch.leaderChanges + watch.leaderlessPolls + watch.fenceFires + watch.fenceWarnings + watch.agentExits;
    process.stdout.write(
      `\npgwarden soak (${new Date().toISOString()}), ${((t1 - t0) / 60_000).toFixed(1)} min, ${cpus().length} CPUs\n` +
        `profile: ttl ${FAST_PROFILE.ttl} (leader lease granted ${grantedTtl} s), loop_wait ${FAST_PROFILE.loopWait}, retry_timeout ${FAST_PROFILE.retryTimeout}, fence_margin ${FAST_FENCE_MARGIN_S}\n` +
        `stress: ${args.stress ? `stress-ng --cpu ${cpus().length} --cpu-load 70 --io 1 --hdd 1` : 'off'}; ` +
        `DCS latency: ${p ? `${SOAK_LATENCY.baseMs}+0..${SOAK_LATENCY.jitterMs} ms per chunk, ${p.spikes} spikes of ${SOAK_LATENCY.spikeMinMs}-${SOAK_LATENCY.spikeMaxMs} ms, largest delay ${Math.round(p.maxDelayMs)} ms, ${p.chunks} chunks on ${p.connections} connections` : 'off'}\n` +
        `load average (1 min), sampled each minute: mean ${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(2)}, max ${Math.max(...loads).toFixed(2)}\n\n` +
        `leader changes (spurious failovers): ${watch.leaderChanges}\n` +
        `polls without a leader key:          ${watch.leaderlessPolls} (longest ${Math.round(watch.longestLeaderlessMs)} ms)\n` +
        `fence guard fired:                   ${watch.fenceFires} (agent fence warnings ${watch.fenceWarnings})\n` +
        `agents that exited:                  ${watch.agentExits}\n` +
        `HA cycles over loop_wait:            ${overrunCycles(cluster)} ("Loop time exceeded")\n` +
        `writes acknowledged:                 ${acks}, longest gap ${(longestWriteGapMs(writers, t0, t1) / 1000).toFixed(2)} s\n` +
        (watch.events.length ? `\nevents:\n${watch.events.map((e) => `  +${e.atS.toFixed(0)}s ${e.what}`).join('\n')}\n\n${tails(cluster, 40)}\n` : '') +
        `\n${spurious === 0 ? 'OK: no spurious failover, lost lock or fence action' : 'FAILED: see the events above; agents\' logs are kept in /tmp/pgwarden-e2e-last/soak'}\n`,
    );
    return spurious === 0 ? 0 : 1;
  } finally {
    if (stress && isRunning(stress)) {
      stress.kill('SIGTERM');
      await exited(stress);
    }
    await proxy?.close();
    await cluster.close();
    rmSync(stressDir, { recursive: true, force: true });
  }
}

runMain(main);
