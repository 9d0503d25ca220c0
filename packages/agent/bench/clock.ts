/** One monotonic clock (ms, sub-ms precision) for every timestamp the benchmark compares. */
import { performance } from 'node:perf_hooks';

export function now(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until truthy; throws naming what it waited for (the e2e harness's waitFor). */
export { waitFor as until } from '../test/e2e/cluster.js';
