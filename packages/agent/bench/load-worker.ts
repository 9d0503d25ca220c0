/**
 * One thread of the `GET /primary` load generator: `concurrency` loops, each sending a
 * request on a fresh TCP connection (agent: false, as HAProxy's health checks and most
 * probes do) as soon as the previous one is answered, for `durationMs`. Posts back the
 * latencies of the answered requests (µs) and the count of failures.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

interface Job {
  readonly url: string;
  readonly concurrency: number;
  readonly durationMs: number;
}

function once(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function main(job: Job): Promise<void> {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + job.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const code = await once(job.url);
        if (code === 200) latencies.push(Math.round((performance.now() - t) * 1000));
        else failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  parentPort!.postMessage({ latencies, failures });
}

void main(workerData as Job);
