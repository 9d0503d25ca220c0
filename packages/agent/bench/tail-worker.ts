/**
 * One thread of the health-check tail generator. Two ways to load an agent:
 *
 * - `open`: requests leave at a fixed rate whatever the agent does (as HAProxy's checks
 *   do), each on a new connection. Latency is counted from when the request was due,
 *   not from when it left, so a stalled agent cannot hide its stall by slowing the
 *   generator down (coordinated omission).
 * - `closed`: `connections` loops each send the next request as soon as the previous one
 *   is answered, either through a keep-alive agent (`keepAlive`) or on a new connection
 *   each time; this finds the agent's saturation throughput and its tail there.
 *
 * Posts back the latencies of answered requests (µs), failures, and the seconds measured.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export type TailJob =
  | { readonly mode: 'open'; readonly url: string; readonly rate: number; readonly durationMs: number }
  | { readonly mode: 'closed'; readonly url: string; readonly connections: number; readonly keepAlive: boolean; readonly durationMs: number };

export interface TailPart {
  readonly latencies: number[];
  /** Open loop only: how late each request left this generator (µs), to tell its own lag from the agent's. */
  readonly sendLags?: number[];
  readonly failures: number;
  readonly seconds: number;
}

const REQUEST_TIMEOUT_MS = 5000;

function once(url: string, agent: Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function closed(job: Extract<TailJob, { mode: 'closed' }>): Promise<TailPart> {
  const agent = job.keepAlive ? new Agent({ keepAlive: true, maxSockets: job.connections }) : false;
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const end = start + job.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        if ((await once(job.url, agent)) === 200) latencies.push(Math.round((performance.now() - t) * 1000));
        else failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, loop));
  if (agent) agent.destroy();
  return { latencies, failures, seconds: (performance.now() - start) / 1000 };
}

async function open(job: Extract<TailJob, { mode: 'open' }>): Promise<TailPart> {
  const latencies: number[] = [];
  const sendLags: number[] = [];
  let failures = 0;
  const interval = 1000 / job.rate;
  const total = Math.floor((job.durationMs / 1000) * job.rate);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // Every request due by now leaves now; each is timed from when it was due.
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent * interval;
        sendLags.push(Math.round((now - due) * 1000));
        sent++;
        pending.push(
          once(job.url, false).then(
            (code) => {
              if (code === 200) latencies.push(Math.round((performance.now() - due) * 1000));
              else failures++;
            },
            () => {
              failures++;
            },
          ),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(interval, start + sent * interval - performance.now())));
    };
    tick();
  });
  await Promise.all(pending);
  return { latencies, sendLags, failures, seconds: (performance.now() - start) / 1000 };
}

const job = workerData as TailJob;
void (job.mode === 'open' ? open(job) : closed(job)).then((part) => parentPort!.postMessage(part));
