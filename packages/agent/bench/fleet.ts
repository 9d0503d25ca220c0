/**
 * `pnpm bench fleet [--steps 10,25,50,100,200] [--window 30] [--profile default|fast] [--wal-rate 65536]`:
 * how many pgwarden clusters one etcd carries. N clusters of three HA engines (the
 * daemon's composition, a stand-in Postgres: fleet-cluster.ts) run in this process
 * against ONE real etcd; N steps up, keeping the clusters already running. At each step,
 * once every cluster has a leader and two replicas, a window measures the requests etcd
 * received (its own `grpc_server_msg_received_total`), per cluster per second, and the
 * latency of every DCS call the engines made (p50, p99, max). The run stops at the first
 * step whose p99 passes a quarter of retry_timeout, and names that N.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEtcd } from '@pgwarden/testkit';
import { now, sleep, until } from './clock.js';
import { DEFAULT_PROFILE, FAST_PROFILE } from './fast-profile.js';
import { CallTimes, startFleetCluster, type FleetCluster } from './fleet-cluster.js';
import { DEFAULT_WAL_BYTES_PER_SECOND } from './fleet-postgres.js';
import { etcdRequestCounts } from './idle.js';
import { table } from './table.js';
import { runMain } from './run-main.js';

const USAGE = 'usage: pnpm bench fleet [--steps 10,25,50,100,200] [--window 30] [--profile default|fast] [--wal-rate BYTES_PER_S] [--no-build]';

interface FleetArgs {
  readonly steps: readonly number[];
  readonly windowS: number;
  readonly profile: typeof DEFAULT_PROFILE;
  /** WAL each primary writes per second; 0 = idle databases. */
  readonly walRate: number;
}

function parseFleetArgs(argv: readonly string[]): FleetArgs {
  let steps = [10, 25, 50, 100, 200];
  let windowS = 30;
  let profile = DEFAULT_PROFILE;
  let walRate = DEFAULT_WAL_BYTES_PER_SECOND;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '--no-build') continue;
    const v = argv[++i];
    if (a === '--steps' && v) steps = v.split(',').map(Number);
    else if (a === '--window' && v) windowS = Number(v);
    else if (a === '--wal-rate' && v && Number(v) >= 0) walRate = Number(v);
    else if (a === '--profile' && (v === 'default' || v === 'fast')) profile = v === 'fast' ? FAST_PROFILE : DEFAULT_PROFILE;
    else throw new Error(`${a === '--help' || a === '-h' ? '' : `bad argument ${a} ${v ?? ''}\n`}${USAGE}`);
  }
  if (!steps.every((n, k) => Number.isInteger(n) && n > 0 && (k === 0 || n > steps[k - 1]!))) throw new Error(`--steps needs increasing whole numbers, e.g. 10,25,50\n${USAGE}`);
  if (!(windowS > 0)) throw new Error(`--window needs a positive number of seconds\n${USAGE}`);
  return { steps, windowS, profile, walRate };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const log = (line: string): void => void process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const args = parseFleetArgs(process.argv.slice(2));
  const { profile } = args;
  const limitMs = (profile.retryTimeout * 1000) / 4;
  const etcd = await startEtcd();
  const times = new CallTimes();
  const clusters: FleetCluster[] = [];
  const rows: string[][] = [];
  const loads: string[] = [];
  let crossedAt: number | null = null;
  let stoppedBy: string | null = null;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  try {
    for (const n of args.steps) {
      const t0 = now();
      try {
        while (clusters.length < n) clusters.push(await startFleetCluster(`fleet${clusters.length + 1}`, etcd.hosts, profile, times, args.walRate));
      } catch (e) {
        // A new cluster's client could not even connect in time: that is the limit too.
        stoppedBy = `at ${n} clusters, cluster ${clusters.length + 1} could not start: ${(e as Error).message}`;
        log(stoppedBy);
        break;
      }
      await until(`${n} clusters each with a leader and two replicas`, () => clusters.every((c) => c.settled()), 120_000 + n * 1000, 500);
      log(`${n} clusters settled after ${((now() - t0) / 1000).toFixed(1)} s; measuring ${args.windowS} s`);
      await sleep(profile.loopWait * 1000); // one more cycle so bootstrap writes are behind us
      times.reset();
      eld.reset();
      const before = await etcdRequestCounts(etcd.endpoints[0]!);
      const w0 = now();
      await sleep(args.windowS * 1000);
      const after = await etcdRequestCounts(etcd.endpoints[0]!);
      const seconds = (now() - w0) / 1000;
      let requests = 0;
      for (const [k, v] of after) requests += v - (before.get(k) ?? 0);
      const d = [...times.durations].sort((a, b) => a - b);
      const p99 = percentile(d, 99);
      const load = loadavg()[0]!;
      loads.push(load.toFixed(2));
      const unsettled = clusters.filter((c) => !c.settled()).length;
      rows.push([
        String(n),
        (requests / seconds).toFixed(1),
        (requests / seconds / n).toFixed(3),
        `${percentile(d, 50).toFixed(1)} ms`,
        `${p99.toFixed(1)} ms`,
        `${(d.at(-1) ?? 0).toFixed(0)} ms`,
        String(times.unavailable),
        String(unsettled),
        `${(eld.percentile(99) / 1e6).toFixed(0)} ms`,
        load.toFixed(2),
      ]);
      log(`${n} clusters: ${(requests / seconds).toFixed(1)} req/s, ${d.length} calls, p99 ${p99.toFixed(1)} ms, unavailable ${times.unavailable}, event-loop p99 ${(eld.percentile(99) / 1e6).toFixed(0)} ms`);
      if (p99 > limitMs) {
        crossedAt = n;
        break;
      }
    }
  } finally {
    eld.disable();
    await Promise.all(clusters.map((c) => c.stop()));
    await etcd.close();
  }
  const cycleErrors = clusters.reduce((s, c) => s + c.cycleErrors(), 0);
  process.stdout.write(
    `\nfleet benchmark (${new Date().toISOString()}, ${cpus().length} CPUs, one etcd member on this machine, engines in this process)\n` +
      `ttl/loop_wait/retry_timeout ${profile.label}; primaries write ${args.walRate} bytes of WAL/s; ${args.windowS} s window per step; the limit is p99 > retry_timeout/4 = ${limitMs} ms\n\n` +
      table(['clusters', 'etcd req/s', 'req/s per cluster', 'DCS call p50', 'p99', 'max', 'unavailable', 'unsettled', 'event-loop p99', 'load 1m'], rows) +
      `\n\n${stoppedBy ?? (crossedAt === null ? `p99 stayed under ${limitMs} ms up to ${args.steps.at(-1)} clusters` : `p99 passed ${limitMs} ms at ${crossedAt} clusters`)}; engine cycle errors: ${cycleErrors}\n`,
  );
  return 0;
}

runMain(main);
