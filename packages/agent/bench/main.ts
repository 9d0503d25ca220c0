/**
 * `pnpm bench [--vs patroni] [--quick] [--only …] [--skip …]`: the performance figures for
 * pgwarden (and, with `--vs patroni`, for Debian's Patroni on the same harness in the same
 * run), printed as one table with each target, then the soak's summary and the fleet
 * curve. A benchmark, not a test: it exits 0 when targets are missed (the table says so)
 * and 1 only when a scenario could not be measured.
 */
import { cpus, loadavg } from 'node:os';
import { E2eCluster, type AgentNode } from '../test/e2e/cluster.js';
import { tails } from '../test/e2e/wait.js';
import { parseArgs, type BenchArgs } from './args.js';
import { now } from './clock.js';
import { DEFAULT_PROFILE, FAST_FENCE_MARGIN_S, FAST_PROFILE } from './fast-profile.js';
import { measureHostLossRounds, summarizeRounds } from './fast-profile-measure.js';
import { DEFAULT_WAL_BYTES_PER_SECOND } from './fleet-postgres.js';
import { fleetReport, runFleet } from './fleet-run.js';
import { METRICS, type ScenarioName, type Timing } from './metrics.js';
import { plan, type Step } from './plan.js';
import { Results, type AgentKind } from './results.js';
import { getPrimary, hostLoss, idle, postmasterKill, startAll, switchover, tail, type ScenarioContext } from './scenarios.js';
import { runSoak, soakReport } from './soak-run.js';
import { benchTable, renderBenchTable } from './table.js';
import { runMain } from './run-main.js';

const results = new Results();
const errors: string[] = [];
/** Printed after the table, in this order: the soak's summary lines, the fleet curve. */
const afterTable: { soak?: string; fleet?: string } = {};
const started = now();

function log(line: string): void {
  process.stderr.write(`[bench +${Math.round((now() - started) / 1000)}s] ${line}\n`);
}

/** Records a figure and prints it as a progress line. */
function record(agent: AgentKind, timing: Timing, metricId: string, value: number, detail?: string, shown?: string): void {
  results.record(metricId, timing, agent, { value, ...(detail !== undefined && { detail }), ...(shown !== undefined && { shown }) });
  const m = METRICS.find((x) => x.id === metricId)!;
  log(`${agent} ${timing.label}: ${m.label} = ${shown ?? m.format(value)}${detail ? ` (${detail})` : ''}`);
}

const RUNNERS: Partial<Record<ScenarioName, (ctx: ScenarioContext, primary: AgentNode) => Promise<AgentNode>>> = {
  idle,
  'get-primary': getPrimary,
  tail,
  switchover,
  'postmaster-kill': postmasterKill,
  'host-loss': hostLoss,
};

/** The classic scenarios, in order, on one fresh three-node cluster. */
async function runClusterStep(agent: AgentKind, { timing, scenarios }: Step, args: BenchArgs): Promise<void> {
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
    idleWindowS: args.idleWindowS,
    log: (line) => log(`${agent} ${timing.label}: ${line}`),
    record: (metricId, value, detail) => record(agent, timing, metricId, value, detail),
  };
  try {
    let primary = await startAll(ctx);
    for (const name of scenarios) {
      const run = RUNNERS[name];
      if (run) primary = await run(ctx, primary);
    }
  } catch (e) {
    errors.push(`${agent} at ${timing.label}: ${(e as Error).message}\n${tails(cluster, 15)}`);
    log(`${agent} at ${timing.label} FAILED: ${(e as Error).message}`);
  } finally {
    await cluster.close();
  }
}

/** Host loss → writable on the fast profile: the median of `--fast-rounds` rounds. */
async function runFastStep(agent: AgentKind, { timing }: Step, args: BenchArgs): Promise<void> {
  log(`${agent} at ${timing.label} (fast profile): ${args.fastRounds} host-loss round(s)`);
  const r = summarizeRounds(await measureHostLossRounds(agent, timing, { rounds: args.fastRounds, patroniBin: args.patroniBin, log }));
  const detail =
    `${args.fastRounds} round(s), ${r.minS.toFixed(2)}–${r.maxS.toFixed(2)} s; ` +
    `lease expired ${r.expiryS.toFixed(2)} s after the kill, writable ${r.takeoverS.toFixed(2)} s after that (medians)`;
  record(agent, timing, 'fast-host-loss', r.writableS, detail);
}

/** A short fleet sweep at Patroni's defaults (pgwarden's engines only). */
async function runFleetStep({ timing }: Step, args: BenchArgs): Promise<void> {
  log(`fleet at ${timing.label}: steps ${args.fleetSteps.join(', ')} clusters, ${args.fleetWindowS} s window each`);
  const r = await runFleet({ steps: args.fleetSteps, windowS: args.fleetWindowS, profile: timing, walRate: DEFAULT_WAL_BYTES_PER_SECOND, log: (l) => log(`fleet: ${l}`) });
  afterTable.fleet = fleetReport(r);
  const last = r.steps.at(-1);
  if (last) {
    const detail = `${last.clusters} clusters: ${last.etcdRps.toFixed(1)} etcd req/s, DCS call p50 ${last.p50Ms.toFixed(1)} ms, max ${last.maxMs.toFixed(0)} ms, ${last.unavailable} unavailable`;
    record('pgwarden', timing, 'fleet-rps', last.etcdRps / last.clusters, detail);
    record('pgwarden', timing, 'fleet-p99', last.p99Ms, detail);
  }
  record('pgwarden', timing, 'fleet-knee', r.crossedAt ?? Infinity, r.stoppedBy ?? undefined, r.crossedAt === null ? `none up to ${r.topStep}` : undefined);
}

/** A short soak on the fast profile under stress-ng and DCS latency (pgwarden only). */
async function runSoakStep({ timing }: Step, args: BenchArgs): Promise<void> {
  log(`soak at ${timing.label}: ${args.soakMinutes} min under stress-ng and DCS latency`);
  const r = await runSoak({ minutes: args.soakMinutes, stress: true, latency: true, log: (l) => log(`soak: ${l}`) });
  afterTable.soak = soakReport(r);
  const detail = `${r.minutes.toFixed(1)} min, ${r.overruns} HA cycles over loop_wait, ${r.acks} writes, longest write gap ${r.longestGapS.toFixed(2)} s`;
  record('pgwarden', timing, 'soak-leader-changes', r.leaderChanges, detail);
  record('pgwarden', timing, 'soak-leaderless', r.leaderlessPolls, r.leaderlessPolls ? `longest ${Math.round(r.longestLeaderlessMs)} ms` : undefined);
  record('pgwarden', timing, 'soak-fence', r.fenceFires + r.fenceWarnings, r.fenceFires + r.fenceWarnings ? `guard fired ${r.fenceFires}, fence warnings ${r.fenceWarnings}` : undefined);
  record('pgwarden', timing, 'soak-exits', r.agentExits);
}

async function runStep(step: Step, agents: readonly AgentKind[], args: BenchArgs): Promise<void> {
  if (step.kind === 'cluster') {
    // pgwarden then Patroni at each timing, so the two runs of a pair see similar load.
    for (const agent of agents) await runClusterStep(agent, step, args);
    return;
  }
  const measured = step.kind === 'fast' ? agents : (['pgwarden'] as const);
  for (const agent of measured) {
    try {
      if (step.kind === 'fast') await runFastStep(agent, step, args);
      else if (step.kind === 'fleet') await runFleetStep(step, args);
      else await runSoakStep(step, args);
    } catch (e) {
      errors.push(`${step.kind} (${agent} at ${step.timing.label}): ${(e as Error).message}`);
      log(`${step.kind} ${agent} at ${step.timing.label} FAILED: ${(e as Error).message}`);
    }
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const steps = plan(args.scenarios);
  const agents: AgentKind[] = args.vsPatroni ? ['pgwarden', 'patroni'] : ['pgwarden'];
  const loadBefore = loadavg();
  log(
    `${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}${args.quick ? ', --quick' : ''}; ` +
      `scenarios ${args.scenarios.join(', ')}`,
  );
  for (const step of steps) await runStep(step, agents, args);
  const loadAfter = loadavg();
  const minutes = (now() - started) / 60_000;
  process.stdout.write(
    `\npgwarden benchmark${args.vsPatroni ? ' vs Patroni' : ''} (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadBefore[0]!.toFixed(2)} before / ${loadAfter[0]!.toFixed(2)} after, ${minutes.toFixed(1)} min${args.quick ? ', --quick' : ''})\n` +
      `Timings are ttl/loop_wait/retry_timeout (${FAST_PROFILE.label} is the fast profile, with fence_margin ${FAST_FENCE_MARGIN_S}; the fleet runs at ${DEFAULT_PROFILE.label}).` +
      `${args.vsPatroni ? ' ratio = pgwarden / patroni (lower is better, except req/s); the soak and the fleet run pgwarden alone.' : ''}` +
      ` 'Patroni earlier' is Patroni 3.0.2 as measured in an earlier run. What each figure means: docs/benchmarks.md.\n\n` +
      renderBenchTable(benchTable(steps, results, args.vsPatroni)) +
      [afterTable.soak, afterTable.fleet].map((t) => (t ? `\n${t}` : '')).join(''),
  );
  if (errors.length > 0) {
    process.stdout.write(`\nScenarios that could not be measured:\n${errors.join('\n\n')}\n`);
    return 1;
  }
  return 0;
}

runMain(main);
