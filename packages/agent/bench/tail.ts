/**
 * Health-check latency as a load balancer sees it: p50, p99 and max of `GET <path>`
 * answered 200, at a fixed offered rate (open loop) and at saturation (closed loops).
 * The generator runs in worker threads so its own event loop does not add to the
 * figures; it shares the machine's cores with the agents, so saturation req/s is a floor.
 */
import { Worker } from 'node:worker_threads';
import type { AgentNode } from '../test/e2e/cluster.js';
import { processCpuNs } from './proc-cpu.js';
import type { ScenarioContext } from './scenarios.js';
import type { TailJob, TailPart } from './tail-worker.js';

export interface TailResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly answered: number;
  readonly failures: number;
  /** Open loop: the generator's own p99 lag in sending (ms); a large one means the machine, not the agent, was late. */
  readonly sendLagP99Ms?: number;
  /** The answering agent's CPU time (all its threads) per 1,000 answered checks, in ms: what a check costs it. */
  readonly agentCpuMsPer1000?: number;
}

function runWorker(job: TailJob): Promise<TailPart> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./tail-worker.js', import.meta.url), { workerData: job });
    w.once('message', (part: TailPart) => {
      resolve(part);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

function summarize(url: string, parts: readonly TailPart[]): TailResult {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const failures = parts.reduce((s, p) => s + p.failures, 0);
  if (latencies.length === 0) throw new Error(`GET ${url}: no request answered 200 (${failures} failed)`);
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const pick = (xs: readonly number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]! / 1000;
  const lags = parts.flatMap((p) => p.sendLags ?? []).sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50Ms: pick(latencies, 0.5),
    p99Ms: pick(latencies, 0.99),
    maxMs: latencies[latencies.length - 1]! / 1000,
    answered: latencies.length,
    failures,
    ...(lags.length > 0 && { sendLagP99Ms: pick(lags, 0.99) }),
  };
}

/** `rate` requests/s spread over `threads` threads, each request on a new connection. */
export async function openLoop(url: string, rate: number, durationMs: number, threads = 2): Promise<TailResult> {
  const parts = await Promise.all(Array.from({ length: threads }, () => runWorker({ mode: 'open', url, rate: rate / threads, durationMs })));
  return summarize(url, parts);
}

/** `connections` request loops over `threads` threads, back to back. */
export async function closedLoop(url: string, connections: number, keepAlive: boolean, durationMs: number, threads = 2): Promise<TailResult> {
  const per = Math.ceil(connections / threads);
  const parts = await Promise.all(Array.from({ length: threads }, () => runWorker({ mode: 'closed', url, connections: per, keepAlive, durationMs })));
  return summarize(url, parts);
}

export function describe(r: TailResult): string {
  const lag = r.sendLagP99Ms === undefined ? '' : `, generator's own send lag p99 ${r.sendLagP99Ms.toFixed(1)} ms`;
  const cpu = r.agentCpuMsPer1000 === undefined ? '' : `, agent CPU ${r.agentCpuMsPer1000.toFixed(0)} ms per 1,000 checks`;
  return `${Math.round(r.rps)} req/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms, ${r.answered} answered, ${r.failures} failed${lag}${cpu}`;
}

/** Runs one load on `node`'s `/health` and adds the agent's CPU per 1,000 answered checks. */
export async function runLoad(load: TailLoad, node: AgentNode, ms: number): Promise<TailResult> {
  const pid = node.process?.pid;
  const before = pid ? processCpuNs(pid) : 0;
  const r = await load.run(`${node.apiUrl}/health`, ms);
  if (!pid) return r;
  return { ...r, agentCpuMsPer1000: (processCpuNs(pid) - before) / 1e6 / (r.answered / 1000) };
}

export interface TailLoad {
  /** Also the metric id's middle part: `tail-<id>-p99`. */
  readonly id: 'open500' | 'ka16' | 'new16';
  readonly label: string;
  readonly run: (url: string, ms: number) => Promise<TailResult>;
}

/** The three loads on `GET /health`: a load balancer's fixed rate, then saturation two ways. */
export const LOADS: readonly TailLoad[] = [
  { id: 'open500', label: 'GET /health, 500 req/s open loop, new connection each', run: (url, ms) => openLoop(url, 500, ms) },
  { id: 'ka16', label: 'GET /health, 16 keep-alive connections (saturation)', run: (url, ms) => closedLoop(url, 16, true, ms) },
  { id: 'new16', label: 'GET /health, 16 loops, new connection each (saturation)', run: (url, ms) => closedLoop(url, 16, false, ms) },
];

/** The tail scenario of `pnpm bench`: each load for 10 s (4 s with `--quick`) on the primary. */
export async function tail(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  const ms = ctx.quick ? 4000 : 10_000;
  for (const load of LOADS) {
    const r = await runLoad(load, primary, ms);
    ctx.record(`tail-${load.id}-p99`, r.p99Ms, describe(r));
  }
  return primary;
}
