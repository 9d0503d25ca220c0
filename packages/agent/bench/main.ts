/**
 * `pnpm bench [--vs patroni] [--quick] [--only …]`: the performance figures for pgwarden (and,
 * with `--vs patroni`, for Debian's Patroni on the same harness in the same run), printed
 * as a table with each target. A benchmark, not a test: it exits 0 when targets are
 * missed (the table says so) and 1 only when a scenario could not be measured.
 */
import { cpus, loadavg } from 'node:os';
import { E2eCluster, type AgentNode } from '../test/e2e/cluster.js';
import { tails } from '../test/e2e/wait.js';
import { parseArgs, type BenchArgs } from './args.js';
import { now } from './clock.js';
import { FAST, METRICS, SCENARIOS, SLOW, issuePatroniAt, type ScenarioName, type Timing } from './metrics.js';
import { getPrimary, hostLoss, idle, postmasterKill, startAll, switchover, tail, type ScenarioContext } from './scenarios.js';
import { table } from './table.js';
import { runMain } from './run-main.js';

type AgentKind = 'pgwarden' | 'patroni';

interface Value {
  readonly value: number;
  readonly detail?: string;
}

/** `${metricId}@${timing}` → agent → value. */
const results = new Map<string, Map<AgentKind, Value>>();
const errors: string[] = [];
const started = now();

function log(line: string): void {
  process.stderr.write(`[bench +${Math.round((now() - started) / 1000)}s] ${line}\n`);
}

const RUNNERS: Record<Exclude<ScenarioName, 'start'>, (ctx: ScenarioContext, primary: AgentNode) => Promise<AgentNode>> = {
  idle,
  'get-primary': getPrimary,
  tail,
  switchover,
  'postmaster-kill': postmasterKill,
  'host-loss': hostLoss,
};

/**
 * What runs at each timing. Idle cost runs at both (loop_wait 10 and 1), before any
 * failure. `GET /primary` and the health-check tail do not depend on the timing, so they
 * run once, on the 30/10/10 cluster, whose agents run their loops meanwhile. `--quick`
 * runs the failure scenarios at 20/1/3 only.
 */
function plan(args: BenchArgs): { timing: Timing; scenarios: ScenarioName[] }[] {
  const failures: ScenarioName[] = ['switchover', 'postmaster-kill', 'host-loss'];
  const sets = [
    { timing: SLOW, scenarios: ['start', 'idle', 'get-primary', 'tail', ...(args.quick ? [] : failures)] as ScenarioName[] },
    { timing: FAST, scenarios: ['start', 'idle', ...failures] as ScenarioName[] },
  ];
  return sets
    .filter((s) => s.scenarios.some((n) => n !== 'start' && args.only.includes(n)) || args.only.includes('start'))
    // Every cluster is started, so its start time is always measured and shown.
    .map((s) => ({ timing: s.timing, scenarios: s.scenarios.filter((n) => n === 'start' || args.only.includes(n)) }));
}

async function runSet(agent: AgentKind, timing: Timing, scenarios: readonly ScenarioName[], args: BenchArgs): Promise<void> {
  log(`${agent} at ${timing.label}: ${scenarios.join(', ')}`);
  const cluster = await E2eCluster.create({
    label: `bench-${agent}-${timing.label.replaceAll('/', '-')}`,
    nodes: 3,
    timing,
    ...(agent === 'patroni' && { agentCommand: [args.patroniBin] }),
  });
  const ctx: ScenarioContext = {
    cluster,
    timing,
    quick: args.quick,
    log: (line) => log(`${agent} ${timing.label}: ${line}`),
    record(metricId, value, detail) {
      const key = `${metricId}@${timing.label}`;
      if (!results.has(key)) results.set(key, new Map());
      results.get(key)!.set(agent, { value, ...(detail !== undefined && { detail }) });
      const m = METRICS.find((x) => x.id === metricId)!;
      log(`${agent} ${timing.label}: ${m.label} = ${m.format(value)}${detail ? ` (${detail})` : ''}`);
    },
  };
  try {
    let primary = await startAll(ctx);
    for (const name of scenarios) {
      if (name === 'start') continue;
      primary = await RUNNERS[name](ctx, primary);
    }
  } catch (e) {
    errors.push(`${agent} at ${timing.label}: ${(e as Error).message}\n${tails(cluster, 15)}`);
    log(`${agent} at ${timing.label} FAILED: ${(e as Error).message}`);
  } finally {
    await cluster.close();
  }
}

/** Judged on the figure as printed, so that "0.30 s" is never shown as missing "≤ 0.3 s". */
function meets(m: (typeof METRICS)[number], value: number): boolean {
  const shown = Number.parseFloat(m.format(value));
  return m.met(Number.isFinite(shown) ? shown : value);
}

function report(args: BenchArgs, sets: { timing: Timing; scenarios: ScenarioName[] }[]): string {
  const header = ['metric', 'pgwarden', 'target', 'met?', ...(args.vsPatroni ? ['patroni', 'ratio'] : []), 'Patroni earlier'];
  const rows: string[][] = [];
  const details: string[] = [];
  for (const m of METRICS) {
    for (const { timing, scenarios } of sets) {
      if (!scenarios.some((s) => (SCENARIOS[s] as readonly string[]).includes(m.id))) continue;
      const key = `${m.id}@${timing.label}`;
      const r = results.get(key);
      const pw = r?.get('pgwarden');
      const pa = r?.get('patroni');
      const label = `${m.label} [${timing.label}]`;
      // A `≤ Patroni` target is judged only when Patroni ran in this very run.
      const met = !pw ? '-' : m.relative ? (pa ? (pw.value <= pa.value ? 'yes' : 'NO') : '-') : meets(m, pw.value) ? 'yes' : 'NO';
      const row = [label, pw ? m.format(pw.value) : 'error', m.target, met];
      if (args.vsPatroni) row.push(pa ? m.format(pa.value) : 'error', pw && pa && pa.value !== 0 ? (pw.value / pa.value).toFixed(2) : '-');
      row.push(issuePatroniAt(m, timing));
      rows.push(row);
      // Metrics measured together share one detail line (req/s and p99, RSS and CPU).
      for (const [agent, v] of r ?? []) {
        const line = `[${timing.label}] ${agent}: ${v.detail}`;
        if (v.detail && !details.some((d) => d.endsWith(line))) details.push(`${m.label} ${line}`);
      }
    }
  }
  return `${table(header, rows)}\n\nDetails:\n${details.map((d) => `  ${d}`).join('\n')}\n`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const sets = plan(args);
  const agents: AgentKind[] = args.vsPatroni ? ['pgwarden', 'patroni'] : ['pgwarden'];
  const loadBefore = loadavg();
  log(`${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}${args.quick ? ', --quick' : ''}`);
  // pgwarden then Patroni at each timing, so the two runs of a pair see similar load.
  for (const { timing, scenarios } of sets) for (const agent of agents) await runSet(agent, timing, scenarios, args);
  const loadAfter = loadavg();
  const minutes = (now() - started) / 60_000;
  process.stdout.write(
    `\npgwarden benchmark${args.vsPatroni ? ' vs Patroni' : ''} (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadBefore[0]!.toFixed(2)} before / ${loadAfter[0]!.toFixed(2)} after, ${minutes.toFixed(1)} min${args.quick ? ', --quick' : ''})\n` +
      `Timings are ttl/loop_wait/retry_timeout.${args.vsPatroni ? ' ratio = pgwarden / patroni (lower is better, except req/s).' : ''} 'Patroni earlier' is Patroni 3.0.2 as measured in an earlier run. What each figure means: docs/benchmarks.md.\n\n` +
      report(args, sets),
  );
  if (errors.length > 0) {
    process.stdout.write(`\nScenarios that could not be measured:\n${errors.join('\n\n')}\n`);
    return 1;
  }
  return 0;
}

runMain(main);
