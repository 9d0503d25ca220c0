/**
 * One soak: three agents on the fast profile (fast-profile.ts), real etcd and PostgreSQL
 * 15, a writer on every node, CPU and I/O stress from stress-ng and a latency proxy
 * between the agents and etcd (soak-proxy.ts), for a given number of minutes. Nothing is
 * injected that should cost the primary its lock, so every leader change, lost lock and
 * fence action counted is spurious. `pnpm soak` runs it alone; `pnpm bench` runs a short
 * one as its `soak` scenario.
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
import { SOAK_LATENCY, startLatencyProxy, type LatencyProxy, type ProxyStats } from './soak-proxy.js';
import { SoakWatch, leaderKeys, leaderKeysCurrent, leaderLeaseTtl, longestWriteGapMs, overrunCycles, type LeaderKeys, type SoakEvent } from './soak-watch.js';
import { CREATE_WRITE_TABLE, startWriters, stopWriters } from './writer.js';

export interface SoakOptions {
  readonly minutes: number;
  readonly stress: boolean;
  readonly latency: boolean;
  /** Prints a progress line (one a minute, and each event as it is seen). */
  readonly log: (line: string) => void;
}

export interface SoakResult {
  readonly finishedAt: Date;
  /** Minutes actually soaked (from the writers' start to the end of the loop). */
  readonly minutes: number;
  readonly cpus: number;
  readonly stress: boolean;
  /** The latency proxy's counters, or null when it was off. */
  readonly proxy: ProxyStats | null;
  /** The TTL etcd granted the leader's lease (the ttl the agents really run with). */
  readonly grantedTtl: number | null;
  /** Load average (1 min), sampled once a minute. */
  readonly loads: readonly number[];
  readonly leaderChanges: number;
  readonly leaderlessPolls: number;
  readonly longestLeaderlessMs: number;
  readonly fenceFires: number;
  readonly fenceWarnings: number;
  readonly agentExits: number;
  /** "Loop time exceeded" warnings over all agents. */
  readonly overruns: number;
  readonly acks: number;
  readonly longestGapS: number;
  readonly events: readonly SoakEvent[];
  /** The leader's member key and /status at the start and at the end of the soak. */
  readonly leaderKeys: { readonly before: LeaderKeys; readonly after: LeaderKeys };
  /** The agents' last log lines, kept only when something spurious was seen. */
  readonly logTails: string;
}

/** Everything counted that should never happen on a healthy cluster. */
export function spuriousCount(r: SoakResult): number {
  return r.leaderChanges + r.leaderlessPolls + r.fenceFires + r.fenceWarnings + r.agentExits + (leaderKeysCurrent(r.leaderKeys.before, r.leaderKeys.after) ? 0 : 1);
}

/** Two CPU hogs at 70 % and one I/O + one disk writer, for the whole soak. */
function startStress(dir: string, seconds: number): ChildProcess {
  const bin = findExecutable('stress-ng');
  if (!bin) throw new Error('stress-ng not found: apt-get install -y stress-ng (or run with --no-stress)');
  const args = ['--cpu', String(cpus().length), '--cpu-load', '70', '--io', '1', '--hdd', '1', '--hdd-bytes', '64M', '--temp-path', dir, '--timeout', `${seconds}s`, '--quiet'];
  return spawnTracked(bin, args, { stdio: 'ignore' });
}

const fmtLoad = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const started = now();
  const cluster = await E2eCluster.create({ label: 'soak', nodes: 3, timing: FAST_PROFILE });
  let proxy: LatencyProxy | null = null;
  let stress: ChildProcess | null = null;
  const stressDir = mkdtempSync('/tmp/pgwarden-soak-stress-');
  try {
    if (opts.latency) proxy = await startLatencyProxy(cluster.etcd.hosts[0]!, SOAK_LATENCY);
    applyNodeOverrides(cluster, { fenceMarginS: FAST_FENCE_MARGIN_S, ...(proxy && { etcdHosts: [proxy.address] }) });
    for (const n of cluster.nodes) cluster.start(n);
    const leader = await waitHealthy(cluster, 180_000);
    opts.log(`healthy, leader ${leader.name}; ttl ${FAST_PROFILE.ttl}, loop_wait ${FAST_PROFILE.loopWait}, retry_timeout ${FAST_PROFILE.retryTimeout}, fence_margin ${FAST_FENCE_MARGIN_S}; soaking ${opts.minutes} min`);
    const grantedTtl = await leaderLeaseTtl(cluster);
    if (grantedTtl !== FAST_PROFILE.ttl) opts.log(`WARNING: the leader's lease was granted ${grantedTtl} s, not ttl ${FAST_PROFILE.ttl}: the agents raised the ttl (see their logs)`);
    await query(leader, CREATE_WRITE_TABLE);
    const writers = startWriters(cluster.nodes);
    if (opts.stress) stress = startStress(stressDir, Math.ceil(opts.minutes * 60) + 30);
    const t0 = now();
    const watch = new SoakWatch(cluster, started, leader.name);
    const keysBefore = await leaderKeys(cluster);
    const loads: number[] = [];
    let nextLoad = t0;
    while (now() - t0 < opts.minutes * 60_000) {
      await watch.poll();
      if (now() >= nextLoad) {
        loads.push(loadavg()[0]!);
        nextLoad += 60_000;
        opts.log(`${((now() - t0) / 60_000).toFixed(0)}/${opts.minutes} min: load ${fmtLoad(loadavg())}, leader changes ${watch.leaderChanges}, fence fires ${watch.fenceFires}`);
      }
      await sleep(250);
    }
    const t1 = now();
    const keysAfter = await leaderKeys(cluster);
    if (stress && isRunning(stress)) stress.kill('SIGTERM');
    await stopWriters(writers);
    return {
      finishedAt: new Date(),
      minutes: (t1 - t0) / 60_000,
      cpus: cpus().length,
      stress: opts.stress,
      proxy: proxy?.stats() ?? null,
      grantedTtl,
      loads,
      leaderChanges: watch.leaderChanges,
      leaderlessPolls: watch.leaderlessPolls,
      longestLeaderlessMs: watch.longestLeaderlessMs,
      fenceFires: watch.fenceFires,
      fenceWarnings: watch.fenceWarnings,
      agentExits: watch.agentExits,
      overruns: overrunCycles(cluster),
      acks: writers.reduce((s, w) => s + w.acks.filter((a) => a >= t0 && a <= t1).length, 0),
      longestGapS: longestWriteGapMs(writers, t0, t1) / 1000,
      events: [...watch.events],
      leaderKeys: { before: keysBefore, after: keysAfter },
      logTails: watch.events.length || !leaderKeysCurrent(keysBefore, keysAfter) ? tails(cluster, 40) : '',
    };
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

function leaderKeysLine(before: LeaderKeys, after: LeaderKeys): string {
  const verdict = leaderKeysCurrent(before, after) ? 'current' : 'STALE';
  return `${verdict} (${after.leader ?? 'no leader'}'s member key says ${after.role ?? 'nothing'}; /status optime ${before.optime ?? '-'} → ${after.optime ?? '-'})`;
}

/** The soak's summary: its setting, then one line per count, then OK or FAILED. */
export function soakReport(r: SoakResult): string {
  const p = r.proxy;
  const loadMean = r.loads.reduce((a, b) => a + b, 0) / Math.max(1, r.loads.length);
  return (
    `pgwarden soak (${r.finishedAt.toISOString()}), ${r.minutes.toFixed(1)} min, ${r.cpus} CPUs\n` +
    `profile: ttl ${FAST_PROFILE.ttl} (leader lease granted ${r.grantedTtl} s), loop_wait ${FAST_PROFILE.loopWait}, retry_timeout ${FAST_PROFILE.retryTimeout}, fence_margin ${FAST_FENCE_MARGIN_S}\n` +
    `stress: ${r.stress ? `stress-ng --cpu ${r.cpus} --cpu-load 70 --io 1 --hdd 1` : 'off'}; ` +
    `DCS latency: ${p ? `${SOAK_LATENCY.baseMs}+0..${SOAK_LATENCY.jitterMs} ms per chunk, ${p.spikes} spikes of ${SOAK_LATENCY.spikeMinMs}-${SOAK_LATENCY.spikeMaxMs} ms, largest delay ${Math.round(p.maxDelayMs)} ms, ${p.chunks} chunks on ${p.connections} connections` : 'off'}\n` +
    `load average (1 min), sampled each minute: mean ${loadMean.toFixed(2)}, max ${Math.max(0, ...r.loads).toFixed(2)}\n\n` +
    `leader changes (spurious failovers): ${r.leaderChanges}\n` +
    `polls without a leader key:          ${r.leaderlessPolls} (longest ${Math.round(r.longestLeaderlessMs)} ms)\n` +
    `fence guard fired:                   ${r.fenceFires} (agent fence warnings ${r.fenceWarnings})\n` +
    `agents that exited:                  ${r.agentExits}\n` +
    `HA cycles over loop_wait:            ${r.overruns} ("Loop time exceeded")\n` +
    `writes acknowledged:                 ${r.acks}, longest gap ${r.longestGapS.toFixed(2)} s\n` +
    `leader's own keys:                   ${leaderKeysLine(r.leaderKeys.before, r.leaderKeys.after)}\n` +
    (r.events.length ? `\nevents:\n${r.events.map((e) => `  +${e.atS.toFixed(0)}s ${e.what}`).join('\n')}\n\n${r.logTails}\n` : '') +
    `\n${spuriousCount(r) === 0 ? 'OK: no spurious failover, lost lock or fence action; the leader\'s keys are current' : "FAILED: see the events above; agents' logs are kept in /tmp/pgwarden-e2e-last/soak"}\n`
  );
}
