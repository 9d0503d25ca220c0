/**
 * `pnpm bench:tail [--vs patroni] [--baseline-bin PATH] [--quick] [--switchovers N]`:
 * health-check latency while the agents run their loops, and how soon the whole cluster
 * reports healthy after a switchover, on a 30/10/10 cluster (loop_wait 10).
 *
 * For each agent kind, one after the other on the same machine: GET /health on the
 * primary at a fixed 500 req/s (open loop, new connection each), then at saturation
 * with 16 keep-alive connections and with 16 loops opening one connection per request;
 * then N switchovers. `--baseline-bin` runs another pgwarden build (e.g. a `git worktree`
 * of an older commit: its `packages/agent/bin/pgwarden.js`) in the same run, so a change
 * is judged against figures taken minutes apart on the same machine.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { AGENT_BIN, E2eCluster, type AgentNode } from '../test/e2e/cluster.js';
import { tails } from '../test/e2e/wait.js';
import { parseTailArgs, type TailArgs, type TailKind } from './args.js';
import { now } from './clock.js';
import { waitHealthy } from './health.js';
import { SLOW } from './metrics.js';
import { switchover, type ScenarioContext } from './scenarios.js';
import { table } from './table.js';
import { describe, LOADS, runLoad, type TailResult } from './tail.js';
import { runMain } from './run-main.js';

type Kind = TailKind;
type Args = TailArgs;

const started = now();
function log(line: string): void {
  process.stderr.write(`[bench:tail +${Math.round((now() - started) / 1000)}s] ${line}\n`);
}

interface KindResult {
  readonly loads: Map<string, TailResult>;
  readonly healthy: number[];
  /** pgwarden_event_loop_delay_seconds as the primary reported it after the load, when it has the metric. */
  loopDelay: string | null;
}

async function loopDelay(primary: AgentNode): Promise<string | null> {
  try {
    const text = await (await fetch(`${primary.apiUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const found = [...text.matchAll(/^pgwarden_event_loop_delay_seconds\{[^}]*quantile="([^"]+)"[^}]*\} (\S+)$/gm)].map((m) => `${m[1]} ${(Number(m[2]) * 1000).toFixed(1)} ms`);
    return found.length ? found.join(', ') : null;
  } catch {
    return null;
  }
}

/**
 * While a switchover runs, asks every agent's `/patroni` every 100 ms and logs answers
 * slower than 300 ms: peers read it during the leader race, and a slow one holds up the
 * race by the peers' 2 s budget.
 */
function slowStatusProbe(nodes: readonly AgentNode[], print: (line: string) => void): { stop(): void } {
  let stopped = false;
  const t0 = now();
  for (const n of nodes) {
    void (async () => {
      while (!stopped) {
        const t = now();
        let what = '';
        try {
          what = String((await fetch(`${n.apiUrl}/patroni`, { signal: AbortSignal.timeout(5000) })).status);
        } catch (e) {
          what = (e as Error).message;
        }
        const took = now() - t;
        if (took > 300) print(`slow GET /patroni on ${n.name} at +${((t - t0) / 1000).toFixed(2)} s: ${Math.round(took)} ms (${what})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }
  return { stop: () => { stopped = true; } };
}

async function runKind(kind: Kind, args: Args): Promise<KindResult> {
  const profile = args.profileDir && kind !== 'patroni' ? ['--cpu-prof', `--cpu-prof-dir=${join(args.profileDir, kind)}`] : [];
  if (profile.length) {
    mkdirSync(join(args.profileDir!, kind), { recursive: true });
    chmodSync(join(args.profileDir!, kind), 0o777); // the agents may run as the postgres user
  }
  const agentCommand = kind === 'patroni' ? [args.patroniBin] : [process.execPath, ...profile, kind === 'baseline' ? args.baselineBin! : AGENT_BIN];
  const cluster = await E2eCluster.create({ label: `bench-tail-${kind}`, nodes: 3, timing: SLOW, ...(agentCommand && { agentCommand }) });
  const result: KindResult = { loads: new Map(), healthy: [], loopDelay: null };
  try {
    for (const n of cluster.nodes) cluster.start(n);
    let primary = await waitHealthy(cluster, 180_000);
    log(`${kind}: healthy, primary ${primary.name}`);
    const ms = args.quick ? 4000 : 10_000;
    // The loop-delay monitor samples only once /metrics has been scraped: start it now.
    await loopDelay(primary);
    for (const load of LOADS) {
      const r = await runLoad(load, primary, ms);
      result.loads.set(load.id, r);
      log(`${kind}: ${load.label}: ${describe(r)}`);
    }
    result.loopDelay = await loopDelay(primary);
    if (result.loopDelay) log(`${kind}: event loop delay on ${primary.name}: ${result.loopDelay}`);
    const ctx: ScenarioContext = {
      cluster,
      timing: SLOW,
      quick: args.quick,
      idleWindowS: 0, // the tail bench runs no idle scenario
      log: (line) => log(`${kind}: ${line}`),
      record(metricId, value, detail) {
        if (metricId === 'switchover-healthy') result.healthy.push(value);
        log(`${kind}: ${metricId} = ${value.toFixed(2)}${detail ? ` (${detail})` : ''}`);
      },
    };
    for (let i = 0; i < args.switchovers; i++) {
      const probe = slowStatusProbe(cluster.nodes, (line) => log(`${kind}: ${line}`));
      try {
        primary = await switchover(ctx, primary);
      } finally {
        probe.stop();
      }
    }
    // A CPU profile is written when the agent exits by itself, not on the SIGKILL of close().
    if (profile.length) for (const n of cluster.nodes) await cluster.stop(n);
  } catch (e) {
    log(`${kind} FAILED: ${(e as Error).message}\n${tails(cluster, 15)}`);
    throw e;
  } finally {
    await cluster.close();
  }
  return result;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One result per kind: each load figure and the switchover times are medians over the rounds. */
function combine(rounds: readonly KindResult[]): KindResult {
  const loads = new Map<string, TailResult>();
  for (const load of LOADS) {
    const rs = rounds.map((r) => r.loads.get(load.id)).filter((r): r is TailResult => r !== undefined);
    if (rs.length === 0) continue;
    const m = (f: (r: TailResult) => number): number => median(rs.map(f));
    const cpu = rs.map((r) => r.agentCpuMsPer1000).filter((v): v is number => v !== undefined);
    loads.set(load.id, {
      rps: m((r) => r.rps),
      p50Ms: m((r) => r.p50Ms),
      p99Ms: m((r) => r.p99Ms),
      maxMs: m((r) => r.maxMs),
      answered: m((r) => r.answered),
      failures: m((r) => r.failures),
      ...(cpu.length > 0 && { agentCpuMsPer1000: median(cpu) }),
    });
  }
  return { loads, healthy: rounds.flatMap((r) => r.healthy), loopDelay: rounds.map((r) => r.loopDelay).filter(Boolean).join(' | ') || null };
}

function report(args: Args, results: Map<Kind, KindResult>): string {
  const others = args.kinds.filter((k) => k !== 'pgwarden');
  const header = ['figure', ...args.kinds, ...others.map((k) => `pgwarden/${k}`), 'target'];
  const rows: string[][] = [];
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : '-');
  for (const load of LOADS) {
    const figures: { name: string; get: (r: TailResult) => number; fmt: (v: number) => string; target: string }[] = [
      { name: 'req/s', get: (r) => r.rps, fmt: (v) => `${Math.round(v)}`, target: '' },
      { name: 'p50', get: (r) => r.p50Ms, fmt: (v) => `${v.toFixed(1)} ms`, target: '' },
      { name: 'p99', get: (r) => r.p99Ms, fmt: (v) => `${v.toFixed(1)} ms`, target: load.id === 'open500' ? '≤ 20 ms' : '≤ Patroni' },
      { name: 'max', get: (r) => r.maxMs, fmt: (v) => `${v.toFixed(1)} ms`, target: '' },
      { name: 'agent CPU per 1,000 checks', get: (r) => r.agentCpuMsPer1000 ?? NaN, fmt: (v) => `${v.toFixed(0)} ms`, target: '' },
    ];
    for (const f of figures) {
      const v = (k: Kind): number => {
        const r = results.get(k)?.loads.get(load.id);
        return r ? f.get(r) : NaN;
      };
      rows.push([`${load.label}: ${f.name}`, ...args.kinds.map((k) => (Number.isNaN(v(k)) ? 'error' : f.fmt(v(k)))), ...others.map((k) => ratio(v('pgwarden'), v(k))), f.target]);
    }
  }
  if (args.switchovers > 0) {
    const h = (k: Kind): number => median(results.get(k)?.healthy ?? []);
    rows.push([
      `switchover → all healthy, median of ${args.switchovers * args.rounds} [30/10/10]`,
      ...args.kinds.map((k) => (Number.isNaN(h(k)) ? 'error' : `${h(k).toFixed(2)} s`)),
      ...others.map((k) => ratio(h('pgwarden'), h(k))),
      '≤ 2 s',
    ]);
  }
  const details = args.kinds.map((k) => {
    const r = results.get(k);
    const healthy = r?.healthy.map((x) => x.toFixed(2)).join(', ') ?? '';
    return `  ${k}: switchover → healthy ${healthy || '-'} s${r?.loopDelay ? `; event loop delay after the load: ${r.loopDelay}` : ''}`;
  });
  return `${table(header, rows)}\n\nDetails:\n${details.join('\n')}\n`;
}

async function main(): Promise<number> {
  const args = parseTailArgs(process.argv.slice(2));
  const before = loadavg()[0]!;
  log(`${cpus().length} CPUs, load average ${before.toFixed(2)}; agents: ${args.kinds.join(', ')}`);
  const rounds = new Map<Kind, KindResult[]>(args.kinds.map((k) => [k, []]));
  const failed: string[] = [];
  // Alternating kinds round by round, so that a burst of load from elsewhere hits both.
  for (let round = 1; round <= args.rounds; round++) {
    for (const kind of args.kinds) {
      if (args.rounds > 1) log(`round ${round} of ${args.rounds}: ${kind}`);
      try {
        rounds.get(kind)!.push(await runKind(kind, args));
      } catch (e) {
        failed.push(`${kind} (round ${round}): ${(e as Error).message}`);
      }
    }
  }
  const results = new Map<Kind, KindResult>([...rounds].filter(([, rs]) => rs.length > 0).map(([k, rs]) => [k, combine(rs)]));
  process.stdout.write(
    `\npgwarden health-check tail and switchover → healthy (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${before.toFixed(2)} before / ${loadavg()[0]!.toFixed(2)} after${args.quick ? ', --quick' : ''})\n` +
      `Latencies are of answers with status 200; the open loop counts each from when it was due.${args.rounds > 1 ? ` Medians of ${args.rounds} rounds.` : ''} Lower ratios are better, except req/s.\n\n` +
      report(args, results),
  );
  if (failed.length) process.stdout.write(`\nCould not be measured:\n${failed.join('\n')}\n`);
  return failed.length ? 1 : 0;
}

runMain(main);
