/**
 * How many pgwarden clusters one etcd carries. N clusters of three HA engines (the
 * daemon's composition, a stand-in Postgres: fleet-cluster.ts) run in this process
 * against ONE real etcd; N steps up, keeping the clusters already running. At each step,
 * once every cluster has a leader and two replicas, a window measures the requests etcd
 * received (its own `grpc_server_msg_received_total`), per cluster per second, and the
 * latency of every DCS call the engines made (p50, p99, max). The sweep stops at the
 * first step whose p99 passes a quarter of retry_timeout, and names that N. `pnpm bench
 * fleet` runs it alone; `pnpm bench` runs a short sweep as its `fleet` scenario.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEtcd } from '@pgwarden/testkit';
import { now, sleep, until } from './clock.js';
import { CallTimes, startFleetCluster, type FleetCluster } from './fleet-cluster.js';
import { etcdRequestCounts } from './idle.js';
import type { Timing } from './metrics.js';
import { table } from './table.js';

export interface FleetOptions {
  /** Cluster counts, increasing. */
  readonly steps: readonly number[];
  readonly windowS: number;
  readonly profile: Timing;
  /** WAL each primary writes per second; 0 = idle databases. */
  readonly walRate: number;
  /** Prints a progress line (starting, settled, measured, per step). */
  readonly log: (line: string) => void;
}

/** One step of the curve. */
export interface FleetStep {
  readonly clusters: number;
  readonly etcdRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly unavailable: number;
  readonly unsettled: number;
  readonly eventLoopP99Ms: number;
  readonly load: number;
}

export interface FleetResult {
  readonly finishedAt: Date;
  readonly cpus: number;
  readonly profile: Timing;
  readonly walRate: number;
  readonly windowS: number;
  /** The largest step asked for. */
  readonly topStep: number;
  /** A quarter of retry_timeout, in ms: the DCS call p99 a step may not pass. */
  readonly limitMs: number;
  readonly steps: readonly FleetStep[];
  /** The step whose p99 passed the limit, or at which a cluster could not start; null if none. */
  readonly crossedAt: number | null;
  /** Why the sweep ended early when a cluster could not start. */
  readonly stoppedBy: string | null;
  readonly cycleErrors: number;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const { profile, log } = opts;
  const limitMs = (profile.retryTimeout * 1000) / 4;
  const etcd = await startEtcd();
  const times = new CallTimes();
  const clusters: FleetCluster[] = [];
  const steps: FleetStep[] = [];
  let crossedAt: number | null = null;
  let stoppedBy: string | null = null;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  try {
    for (const n of opts.steps) {
      const t0 = now();
      log(`starting clusters ${clusters.length + 1}..${n}`);
      try {
        while (clusters.length < n) clusters.push(await startFleetCluster(`fleet${clusters.length + 1}`, etcd.hosts, profile, times, opts.walRate));
      } catch (e) {
        // A new cluster's client could not even connect in time: that is the limit too.
        stoppedBy = `at ${n} clusters, cluster ${clusters.length + 1} could not start: ${(e as Error).message}`;
        crossedAt = n;
        log(stoppedBy);
        break;
      }
      await until(`${n} clusters each with a leader and two replicas`, () => clusters.every((c) => c.settled()), 120_000 + n * 1000, 500);
      log(`${n} clusters settled after ${((now() - t0) / 1000).toFixed(1)} s; measuring ${opts.windowS} s`);
      await sleep(profile.loopWait * 1000); // one more cycle so bootstrap writes are behind us
      times.reset();
      eld.reset();
      const before = await etcdRequestCounts(etcd.endpoints[0]!);
      const w0 = now();
      await sleep(opts.windowS * 1000);
      const after = await etcdRequestCounts(etcd.endpoints[0]!);
      const seconds = (now() - w0) / 1000;
      let requests = 0;
      for (const [k, v] of after) requests += v - (before.get(k) ?? 0);
      const d = [...times.durations].sort((a, b) => a - b);
      const step: FleetStep = {
        clusters: n,
        etcdRps: requests / seconds,
        p50Ms: percentile(d, 50),
        p99Ms: percentile(d, 99),
        maxMs: d.at(-1) ?? 0,
        unavailable: times.unavailable,
        unsettled: clusters.filter((c) => !c.settled()).length,
        eventLoopP99Ms: eld.percentile(99) / 1e6,
        load: loadavg()[0]!,
      };
      steps.push(step);
      log(`${n} clusters: ${step.etcdRps.toFixed(1)} req/s, ${d.length} calls, p99 ${step.p99Ms.toFixed(1)} ms, unavailable ${step.unavailable}, event-loop p99 ${step.eventLoopP99Ms.toFixed(0)} ms`);
      if (step.p99Ms > limitMs) {
        crossedAt = n;
        break;
      }
    }
  } finally {
    eld.disable();
    await Promise.all(clusters.map((c) => c.stop()));
    await etcd.close();
  }
  return {
    finishedAt: new Date(),
    cpus: cpus().length,
    profile,
    walRate: opts.walRate,
    windowS: opts.windowS,
    topStep: opts.steps.at(-1) ?? 0,
    limitMs,
    steps,
    crossedAt,
    stoppedBy,
    cycleErrors: clusters.reduce((s, c) => s + c.cycleErrors(), 0),
  };
}

/** The curve: one row per step, then where (if anywhere) p99 passed the limit. */
export function fleetReport(r: FleetResult): string {
  const rows = r.steps.map((s) => [
    String(s.clusters),
    s.etcdRps.toFixed(1),
    (s.etcdRps / s.clusters).toFixed(3),
    `${s.p50Ms.toFixed(1)} ms`,
    `${s.p99Ms.toFixed(1)} ms`,
    `${s.maxMs.toFixed(0)} ms`,
    String(s.unavailable),
    String(s.unsettled),
    `${s.eventLoopP99Ms.toFixed(0)} ms`,
    s.load.toFixed(2),
  ]);
  const verdict = r.stoppedBy ?? (r.crossedAt === null ? `p99 stayed under ${r.limitMs} ms up to ${r.topStep} clusters` : `p99 passed ${r.limitMs} ms at ${r.crossedAt} clusters`);
  return (
    `fleet benchmark (${r.finishedAt.toISOString()}, ${r.cpus} CPUs, one etcd member on this machine, engines in this process)\n` +
    `ttl/loop_wait/retry_timeout ${r.profile.label}; primaries write ${r.walRate} bytes of WAL/s; ${r.windowS} s window per step; the limit is p99 > retry_timeout/4 = ${r.limitMs} ms\n\n` +
    table(['clusters', 'etcd req/s', 'req/s per cluster', 'DCS call p50', 'p99', 'max', 'unavailable', 'unsettled', 'event-loop p99', 'load 1m'], rows) +
    `\n\n${verdict}; engine cycle errors: ${r.cycleErrors}\n`
  );
}
