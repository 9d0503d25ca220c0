/**
 * Command line for the simulation. Node 20 cannot run TypeScript directly here, so it is
 * bundled by tsup first (docs/simulation.md):
 *
 *   npx tsup --config sim/tsup.config.ts
 *   node sim/dist/cli.js --seed 42                 # one seed, report on failure
 *   node sim/dist/cli.js --seeds 1..500 --sync     # a range
 *   node sim/dist/cli.js --seeds 1..200 --quorum   # synchronous_mode: quorum
 *   node sim/dist/cli.js --seed 42 --schedule '[…]' --verbose   # exact replay, full log
 *   node sim/dist/cli.js --mutations               # the mutation suite as CI runs it
 *   node sim/dist/cli.js --mutations 200           # every bug over seeds 1..200: how often it is caught
 *   node sim/dist/cli.js --mutations 200 --bug lowest-wal-wins
 *
 * Exit code 0 when every run passed (with --mutations: every planted bug was caught, and its
 * seed is clean without it), 1 otherwise, 2 on bad arguments.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AgentFactory } from './agent.js';
import { engineAgent } from './agents/engine-agent.js';
import { scriptedAgent } from './agents/scripted-agent.js';
import { ALL_FAULT_KINDS, type FaultKind, type FaultSchedule } from './faults.js';
import { CLASSIC_MODELS, DEFAULT_MODELS, type SimModels } from './models.js';
import { formatMutationTable, MUTATIONS, runMutation, type MutationOutcome } from './mutation-suite.js';
import { PLANTED_BUGS, type PlantedBug } from './planted-bugs.js';
import { quorumEngineAgent } from './quorum-check.js';
import { formatFailure, runSimulation } from './runner.js';

/** synchronous_mode_strict for the engine agents (--strict). */
const strictConfig = (strict: boolean) => (strict ? { dcsConfig: { synchronous_mode_strict: true } } : {});

export const AGENTS: Readonly<Record<string, (strict: boolean, fence?: boolean) => AgentFactory>> = {
  engine: (strict, fence = true) => engineAgent({ fence, ...strictConfig(strict) }),
  'engine-nofence': (strict) => engineAgent({ fence: false, ...strictConfig(strict) }),
  // Planted bugs (test/sim/planted-bugs.test.ts). Without the fence for the lost-lock one:
  // the fence would kill the old primary anyway, and the engine's own step is under test.
  'engine-skip-demote-on-lost': (strict) => engineAgent({ fence: false, plant: 'skip-demote-on-lost', ...strictConfig(strict) }),
  'engine-skip-sync-filter': (strict) => engineAgent({ plant: 'skip-sync-filter', ...strictConfig(strict) }),
  scripted: () => scriptedAgent(),
  'scripted-broken': () => scriptedAgent({ neverDemote: true, noFence: true }),
};

export interface CliArgs {
  readonly seeds: readonly number[];
  readonly agent: string;
  readonly sync: boolean;
  /** synchronous_mode_strict too (implies sync). */
  readonly strict: boolean;
  /** --quorum: synchronous_mode: quorum (implies sync; engine agent only). */
  readonly quorum?: boolean;
  /** Names, or 'draw' (one run in three tags a node). */
  readonly nofailover: readonly string[] | 'draw' | undefined;
  readonly durationMs: number | undefined;
  readonly schedule: FaultSchedule | undefined;
  readonly kinds: readonly FaultKind[] | undefined;
  readonly verbose: boolean;
  /** --mutations [N]: the mutation suite over seeds 1..N of each bug, all of them (default: each bug's CI budget, to the first catch). */
  readonly mutations: number | 'ci' | undefined;
  /** --bug <name,…>: only these planted bugs (with --mutations). */
  readonly bugs: readonly PlantedBug[] | undefined;
  /** --digest: print a hash of every run's event log (same code → same digest; a speed-up must keep it). */
  readonly digest: boolean;
  /** --jobs N: run the seeds on N worker threads (default 1). */
  readonly jobs: number;
  /** --no-fence: the engine agent without the fence (its lease guard), safety from the engine alone. */
  readonly fence: boolean;
  /** --classic / --no-latency / --no-bandwidth / --no-bursts: which physical models run (models.ts). */
  readonly models: SimModels;
}

export function parseArgs(argv: readonly string[]): CliArgs | string {
  let seeds: number[] = [1];
  let agent = 'engine';
  let sync = false;
  let strict = false;
  let quorum = false;
  let nofailover: string[] | 'draw' | undefined;
  let durationMs: number | undefined;
  let schedule: FaultSchedule | undefined;
  let kinds: FaultKind[] | undefined;
  let verbose = false;
  let mutations: number | 'ci' | undefined;
  let bugs: PlantedBug[] | undefined;
  let digest = false;
  let fence = true;
  let jobs = 1;
  let models: SimModels = DEFAULT_MODELS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    try {
      if (arg === '--seed') seeds = [Number(value())];
      else if (arg === '--seeds') {
        // `--seeds N` is 1..N; `--seeds A..B` a range.
        const v = value();
        const m = /^(\d+)\.\.(\d+)$/.exec(v) ?? (/^\d+$/.test(v) ? [v, '1', v] : null);
        if (!m) return '--seeds takes N or A..B';
        seeds = [];
        for (let s = Number(m[1]); s <= Number(m[2]); s++) seeds.push(s);
      } else if (arg === '--agent') agent = value();
      else if (arg === '--sync') sync = true;
      else if (arg === '--strict') sync = strict = true;
      else if (arg === '--quorum') sync = quorum = true;
      else if (arg === '--nofailover') {
        const v = value();
        nofailover = v === 'draw' ? 'draw' : v.split(',');
      }
      else if (arg === '--duration') durationMs = Number(value()) * 1000;
      else if (arg === '--schedule') schedule = JSON.parse(value()) as FaultSchedule;
      else if (arg === '--faults') kinds = value().split(',') as FaultKind[];
      else if (arg === '--verbose') verbose = true;
      else if (arg === '--digest') digest = true;
      else if (arg === '--no-fence') fence = false;
      else if (arg === '--jobs') jobs = Number(value());
      else if (arg === '--classic') models = CLASSIC_MODELS;
      else if (arg === '--no-latency') models = { ...models, dcsLatency: false };
      else if (arg === '--no-bandwidth') models = { ...models, bandwidth: false };
      else if (arg === '--no-bursts') models = { ...models, bursts: false };
      else if (arg === '--mutations') {
        // An optional count: the next argument when it is a number.
        const next = argv[i + 1];
        mutations = next !== undefined && /^\d+$/.test(next) ? Number(argv[++i]) : 'ci';
      } else if (arg === '--bug') bugs = value().split(',') as PlantedBug[];
      else return `unknown argument ${arg}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  if (seeds.some((s) => !Number.isInteger(s))) return 'seeds must be integers';
  if (!Number.isInteger(jobs) || jobs < 1) return '--jobs takes a whole number of worker threads, at least 1';
  if (!(agent in AGENTS)) return `unknown agent ${agent}; one of ${Object.keys(AGENTS).join(', ')}`;
  if (!fence && agent !== 'engine') return `--no-fence works with --agent engine only (${agent} decides its fence itself)`;
  if (quorum && agent !== 'engine') return `--quorum works with --agent engine only`;
  if (kinds?.some((k) => !ALL_FAULT_KINDS.includes(k))) return `fault kinds: ${ALL_FAULT_KINDS.join(', ')}`;
  if (bugs?.some((b) => !(b in PLANTED_BUGS))) return `planted bugs: ${Object.keys(PLANTED_BUGS).join(', ')}`;
  return { seeds, agent, sync, strict, quorum, nofailover, durationMs, schedule, kinds, verbose, mutations, bugs, digest, fence, models, jobs };
}

/** The command that replays a run exactly. */
export function replayCommand(args: CliArgs, seed: number, schedule: FaultSchedule, nofailover: readonly string[] = []): string {
  const parts = ['node sim/dist/cli.js', `--seed ${seed}`, `--agent ${args.agent}`];
  if (args.quorum) parts.push('--quorum');
  if (args.strict) parts.push('--strict');
  else if (args.sync) parts.push('--sync');
  if (!args.fence) parts.push('--no-fence');
  parts.push(...modelFlags(args.models));
  // Replay the drawn tag as explicit names, so an edited schedule keeps it.
  if (nofailover.length) parts.push(`--nofailover ${nofailover.join(',')}`);
  if (args.durationMs !== undefined) parts.push(`--duration ${args.durationMs / 1000}`);
  parts.push(`--schedule '${JSON.stringify(schedule)}'`, '--verbose');
  return parts.join(' ');
}

export async function main(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out(`error: ${args}`);
    return 2;
  }
  if (args.mutations !== undefined) return mutationSuite(args, out);
  let failed = 0;
  let covered = 0;
  let virtualMs = 0;
  const hash = createHash('sha256');
  let steps = 0;
  // Wall time only for the seeds-per-second report; the runs themselves never read it.
  const started = performance.now();
  for await (const r of seedResults(argv, args, out)) {
    covered += r.covered;
    virtualMs += r.virtualMs;
    steps += r.steps;
    hash.update(r.digest);
    if (!r.ok) failed++;
    for (const line of r.lines) out(line);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = args.seeds.length / Math.max(seconds, 1e-3);
  out(`${args.seeds.length - failed}/${args.seeds.length} seeds passed, ${failed} with violations; ${rate.toFixed(2)} seeds/s (${(virtualMs / 1000 / Math.max(seconds, 1e-3)).toFixed(0)} virtual s per wall s); fence-covered instants: ${covered}`);
  if (args.digest) out(`event-log digest of ${args.seeds.length} seeds: ${hash.digest('hex')} (${steps} steps)`);
  return failed > 0 ? 1 : 0;
}

/** The flags that select `models` (for the replay command). */
function modelFlags(models: SimModels): string[] {
  if (!models.dcsLatency && !models.bandwidth && !models.bursts) return ['--classic'];
  return [...(models.dcsLatency ? [] : ['--no-latency']), ...(models.bandwidth ? [] : ['--no-bandwidth']), ...(models.bursts ? [] : ['--no-bursts'])];
}

/** One seed's run as the CLI reports it (in this thread or a worker's). */
interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly covered: number;
  readonly virtualMs: number;
  readonly steps: number;
  /** sha256 of the event log and the violations (--digest combines them in seed order). */
  readonly digest: string;
}

async function runOne(args: CliArgs, seed: number, out: (line: string) => void): Promise<SeedResult> {
  const result = await runSimulation({
    seed,
    agent: args.quorum ? quorumEngineAgent({ fence: args.fence, ...(args.strict ? { dcsConfig: { synchronous_mode_strict: true } } : {}) }) : AGENTS[args.agent]!(args.strict, args.fence),
    models: args.models,
    synchronousMode: args.sync,
    durationMs: args.durationMs,
    schedule: args.schedule,
    nofailover: args.nofailover,
    faults: args.kinds ? { kinds: args.kinds } : undefined,
    onLog: args.verbose ? out : undefined,
  });
  const s = result.stats;
  const digest = createHash('sha256');
  if (args.digest) {
    for (const line of result.log) digest.update(line).update('\n');
    digest.update(JSON.stringify(result.violations));
  }
  let line: string;
  if (result.ok) {
    const tags = s.nofailover.length ? `, nofailover ${s.nofailover.join(',')}` : '';
    line = `seed ${seed}: ok (${result.schedule.length} faults, ${s.commitsAcked} commits acked, ${s.syncAcked} sync, ${s.asyncLost} async lost${s.asyncLost ? ` (at most ${s.asyncLostBytesMax} bytes at one failover)` : ''}, ${s.fenceKills} fence kills, ${s.fenceCoveredInstants} fence-covered instants${tags})`;
  } else line = formatFailure(result, replayCommand(args, seed, result.schedule, s.nofailover));
  return { seed, ok: result.ok, lines: [line], covered: s.fenceCoveredInstants, virtualMs: s.virtualMs, steps: s.steps, digest: digest.digest('hex') };
}

/**
 * Every seed's result, in seed order. With --jobs N (and no --verbose) the seeds are
 * spread over N worker threads, one simulation each at a time: each run is as
 * deterministic as in one thread, only the sweep ends sooner on several cores.
 */
async function* seedResults(argv: readonly string[], args: CliArgs, out: (line: string) => void): AsyncGenerator<SeedResult> {
  const jobs = Math.min(args.jobs, args.seeds.length);
  if (jobs <= 1 || args.verbose) {
    for (const seed of args.seeds) yield await runOne(args, seed, out);
    return;
  }
  const done = new Map<number, SeedResult>();
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const workers = Array.from({ length: jobs }, (_, k) => {
    const seeds = args.seeds.filter((_, i) => i % jobs === k);
    const worker = new Worker(new URL(import.meta.url), { workerData: { simArgv: [...argv], simSeeds: seeds } });
    worker.on('message', (r: SeedResult) => {
      done.set(r.seed, r);
      wake?.();
    });
    worker.on('error', (error) => {
      failure = error;
      wake?.();
    });
    return worker;
  });
  try {
    for (const seed of args.seeds) {
      while (!done.has(seed)) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      yield done.get(seed)!;
      done.delete(seed);
    }
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** A worker thread of --jobs: runs its seeds and posts each result. */
async function workerMain(argv: readonly string[], seeds: readonly number[]): Promise<void> {
  const args = parseArgs(argv);
  if (typeof args === 'string') throw new Error(args);
  for (const seed of seeds) parentPort!.postMessage(await runOne(args, seed, () => {}));
}

/** --mutations: every planted bug (or --bug's) over its budget, then the table. */
async function mutationSuite(args: CliArgs, out: (line: string) => void): Promise<number> {
  const bugs = args.bugs ?? (Object.keys(MUTATIONS) as PlantedBug[]);
  const outcomes: MutationOutcome[] = [];
  const started = performance.now(); // wall time, only for the summary
  for (const bug of bugs) {
    // A given budget runs every seed (how often is the bug caught?); the CI budget stops at the first catch.
    const o = args.mutations === 'ci' ? await runMutation(bug) : await runMutation(bug, args.mutations, true);
    outcomes.push(o);
    const found = o.seed === null ? `SURVIVED ${o.runs} seeds` : `caught by seed ${o.seed}: ${o.invariant} — ${o.message}`;
    out(`${bug}: ${found}${o.others.length ? ` (other violations on the way: ${o.others.join(' ')})` : ''}`);
  }
  for (const line of formatMutationTable(outcomes)) out(line);
  const runs = outcomes.reduce((n, o) => n + o.runs, 0);
  const failed = outcomes.filter((o) => o.seed === null || o.cleanWithout === false);
  out(`${outcomes.length - failed.length}/${outcomes.length} planted bugs caught (seed clean without the bug); ${runs} planted runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failed.length > 0 ? 1 : 0;
}

const invokedDirectly = isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const worker = workerData as { simArgv?: string[]; simSeeds?: number[] } | null;
if (!isMainThread && worker?.simArgv && worker.simSeeds) void workerMain(worker.simArgv, worker.simSeeds);
if (invokedDirectly) {
  main(process.argv.slice(2), (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
