/**
 * `GET /primary` with a new connection per request: `threads` worker threads of
 * `concurrency` loops each hit the primary's REST API for `durationMs`. The generator
 * shares the machine's cores with the agent it measures, so the figure is a floor.
 */
import { Worker } from 'node:worker_threads';
import type { AgentNode } from '../test/e2e/cluster.js';

export interface LoadResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly requests: number;
  readonly failures: number;
}

export async function loadPrimary(node: AgentNode, durationMs: number, threads = 2, concurrency = 4): Promise<LoadResult> {
  const url = `${node.apiUrl}/primary`;
  const parts = await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<{ latencies: number[]; failures: number }>((resolve, reject) => {
        const w = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: { url, concurrency, durationMs } });
        w.once('message', resolve);
        w.once('error', reject);
      }),
    ),
  );
  // Each loop runs for durationMs from its thread's start; thread start-up is not counted.
  const elapsed = durationMs / 1000;
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const failures = parts.reduce((s, p) => s + p.failures, 0);
  if (latencies.length === 0) throw new Error(`GET ${url}: no request answered 200 (${failures} failed)`);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! / 1000;
  return { rps: latencies.length / elapsed, p99Ms: pick(0.99), p50Ms: pick(0.5), requests: latencies.length, failures };
}
