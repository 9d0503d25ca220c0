/**
 * An idle cluster's cost: each agent's RSS and CPU from /proc, and the requests etcd
 * served, over the same window.
 *
 * etcd requests are counted as `grpc_server_msg_received_total` summed over every method:
 * pgwarden speaks gRPC (a keepalive is one message on a stream opened for it, a watch
 * progress request is one message on the long-lived watch stream), while Patroni 3.0.2
 * speaks to etcd's v3 JSON gateway, which turns each HTTP request into one gRPC call on
 * the same server (checked on etcd 3.4: a `POST /v3/kv/range` adds 1 to both
 * `grpc_server_handled_total` and `grpc_server_msg_received_total`). Messages received
 * therefore count one per request for both agents, where `handled_total` would miss
 * messages on streams that stay open.
 */
import { readFileSync } from 'node:fs';
import { now, sleep } from './clock.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux

interface ProcSample {
  readonly cpuTicks: number;
  readonly rssKb: number;
}

function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuTicks, rssKb: Number(rss?.[1] ?? 0) };
}

export async function etcdRequestCounts(clientUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${clientUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
  const counts = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^grpc_server_msg_received_total\{grpc_method="([^"]+)",grpc_service="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    if (m) counts.set(`${m[2]!.replace(/^etcdserverpb\./, '')}.${m[1]}`, Number(m[3]));
  }
  return counts;
}

export interface IdleResult {
  readonly seconds: number;
  /** Per agent, in the order given. */
  readonly agents: { readonly name: string; readonly cpuPercent: number; readonly rssMb: number }[];
  readonly etcdRps: number;
  /** Requests per method over the window. */
  readonly etcdByMethod: Record<string, number>;
}

export async function measureIdle(agents: readonly { name: string; pid: number }[], etcdUrl: string, windowMs: number): Promise<IdleResult> {
  const before = agents.map((a) => sampleProc(a.pid));
  const countsBefore = await etcdRequestCounts(etcdUrl);
  const t0 = now();
  let maxRss = agents.map((_, i) => before[i]!.rssKb);
  while (now() - t0 < windowMs) {
    await sleep(Math.min(1000, windowMs - (now() - t0)));
    maxRss = agents.map((a, i) => Math.max(maxRss[i]!, sampleProc(a.pid).rssKb));
  }
  const countsAfter = await etcdRequestCounts(etcdUrl);
  const seconds = (now() - t0) / 1000;
  const after = agents.map((a) => sampleProc(a.pid));
  const byMethod: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of countsAfter) {
    const d = v - (countsBefore.get(k) ?? 0);
    if (d > 0) {
      byMethod[k] = d;
      total += d;
    }
  }
  return {
    seconds,
    agents: agents.map((a, i) => ({
      name: a.name,
      cpuPercent: ((after[i]!.cpuTicks - before[i]!.cpuTicks) / CLOCK_TICKS / seconds) * 100,
      rssMb: maxRss[i]! / 1024,
    })),
    etcdRps: total / seconds,
    etcdByMethod: byMethod,
  };
}
