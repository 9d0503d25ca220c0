/**
 * An idle cluster's cost: each agent's RSS and CPU time (every thread: the main thread,
 * and Node's or Python's helper threads, e.g. V8's garbage collector, the thread pool,
 * Patroni's REST API and watch threads) from /proc, the CPU of the Postgres
 * backends serving the agent's own queries, and the requests etcd served, over the same
 * window.
 *
 * The agent's backends are every client backend of its node's Postgres other than the
 * bench's own (walsenders are replication, not the agent's queries). Both agents keep
 * one long-lived session; one that disconnects during the window is counted up to its
 * last sample, one that appears is counted from its start.
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
import type { AgentNode } from '../test/e2e/cluster.js';
import { now, sleep } from './clock.js';
import { query } from './health.js';
import { mainThreadCpuNs, threadCpuNs, threadsOf } from './proc-cpu.js';
import type { ScenarioContext } from './scenarios.js';

interface ProcSample {
  /** Time on a CPU so far, in ns: `/proc/PID/schedstat`, finer than the 10 ms ticks of `/proc/PID/stat`. */
  readonly cpuNs: number;
  readonly rssKb: number;
}

function sampleProc(pid: number): ProcSample {
  const cpuNs = mainThreadCpuNs(pid);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuNs, rssKb: Number(rss?.[1] ?? 0) };
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

/** Lists the PIDs of the client backends the agent has open on its node's Postgres. */
export type BackendLister = () => Promise<readonly number[]>;

export interface IdleAgent {
  readonly name: string;
  readonly pid: number;
  readonly backends: BackendLister;
}

/** CPU time of a set of processes or threads that may come and go: the last value seen of each. */
class CpuLedger {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(private readonly cpuNsOf: (id: number) => number = (pid) => sampleProc(pid).cpuNs) {}

  /** Records the IDs alive now; an ID seen for the first time after the start starts at 0. */
  see(ids: readonly number[], atStart: boolean): void {
    for (const id of ids) {
      let ns: number;
      try {
        ns = this.cpuNsOf(id);
      } catch {
        continue; // gone between the listing and the read
      }
      if (!this.start.has(id)) this.start.set(id, atStart ? ns : 0);
      this.last.set(id, ns);
    }
  }

  /** Samples the known PIDs again (those still alive). */
  refresh(): void {
    this.see([...this.last.keys()], false);
  }

  get ns(): number {
    let sum = 0;
    for (const [pid, t] of this.last) sum += t - (this.start.get(pid) ?? 0);
    return sum;
  }
}

export interface IdleResult {
  readonly seconds: number;
  /** Per agent, in the order given. */
  readonly agents: {
    readonly name: string;
    /** Every thread of the agent's process. */
    readonly cpuPercent: number;
    /** Its main thread alone. */
    readonly mainThreadCpuPercent: number;
    readonly rssMb: number;
    readonly postgresCpuPercent: number;
    readonly backends: number;
  }[];
  readonly etcdRps: number;
  /** Requests per method over the window. */
  readonly etcdByMethod: Record<string, number>;
}

export async function measureIdle(agents: readonly IdleAgent[], etcdUrl: string, windowMs: number): Promise<IdleResult> {
  const ledgers = agents.map(() => new CpuLedger());
  // An agent's threads are listed again each second: one started in the window counts from 0.
  const agentLedgers = agents.map((a) => new CpuLedger((tid) => threadCpuNs(a.pid, tid)));
  agentLedgers.forEach((l, i) => l.see(threadsOf(agents[i]!.pid), true));
  const listed = await Promise.all(agents.map((a) => a.backends()));
  ledgers.forEach((l, i) => l.see(listed[i]!, true));
  const before = agents.map((a) => sampleProc(a.pid));
  const countsBefore = await etcdRequestCounts(etcdUrl);
  const t0 = now();
  let maxRss = agents.map((_, i) => before[i]!.rssKb);
  while (now() - t0 < windowMs) {
    await sleep(Math.min(1000, windowMs - (now() - t0)));
    maxRss = agents.map((a, i) => Math.max(maxRss[i]!, sampleProc(a.pid).rssKb));
    for (const l of ledgers) l.refresh();
    agentLedgers.forEach((l, i) => l.see(threadsOf(agents[i]!.pid), false));
  }
  const countsAfter = await etcdRequestCounts(etcdUrl);
  const listedAfter = await Promise.all(agents.map((a) => a.backends()));
  ledgers.forEach((l, i) => l.see(listedAfter[i]!, false));
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
      cpuPercent: (agentLedgers[i]!.ns / 1e9 / seconds) * 100,
      mainThreadCpuPercent: ((after[i]!.cpuNs - before[i]!.cpuNs) / 1e9 / seconds) * 100,
      rssMb: maxRss[i]! / 1024,
      postgresCpuPercent: (ledgers[i]!.ns / 1e9 / seconds) * 100,
      backends: new Set([...listed[i]!, ...listedAfter[i]!]).size,
    })),
    etcdRps: total / seconds,
    etcdByMethod: byMethod,
  };
}

/** Client backends on the node's Postgres other than the asking session: the agent's. */
function agentBackends(node: AgentNode): BackendLister {
  return async () =>
    (await query(node, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")).map((r) => Number(r.pid));
}

/** The idle scenario: one `loop_wait` + 2 s to settle, then the window (`--idle-seconds`: 60 s; 20 s with `--quick`). */
export async function idle(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  await sleep(ctx.timing.loopWait * 1000 + 2000);
  const windowMs = ctx.idleWindowS * 1000;
  ctx.log(`idle window ${windowMs / 1000} s`);
  const agents = ctx.cluster.nodes.map((n) => ({ name: n.name, pid: n.process!.pid!, backends: agentBackends(n) }));
  const r = await measureIdle(agents, ctx.cluster.etcd.endpoints[0]!, windowMs);
  const per = r.agents.map((a) => `${a.name} ${a.rssMb.toFixed(1)} MB ${a.cpuPercent.toFixed(3)} % (main thread ${a.mainThreadCpuPercent.toFixed(3)} %)`).join(', ');
  ctx.record('rss', Math.max(...r.agents.map((a) => a.rssMb)), per);
  ctx.record('cpu', Math.max(...r.agents.map((a) => a.cpuPercent)), per);
  const pg = r.agents.map((a) => `${a.name} ${a.postgresCpuPercent.toFixed(3)} % (${a.backends} backend${a.backends === 1 ? '' : 's'})`).join(', ');
  ctx.record('pg-cpu', Math.max(...r.agents.map((a) => a.postgresCpuPercent)), pg);
  const methods = Object.entries(r.etcdByMethod).map(([k, v]) => `${k} ${v}`).join(', ');
  ctx.record('etcd-rps', r.etcdRps, `${Math.round(r.seconds)} s: ${methods || 'no requests'}`);
  return primary;
}
