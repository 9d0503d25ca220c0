/**
 * One simulation run: build a world from a seed, draw a fault schedule from the same seed
 * (or take one given for replay), run it on virtual time with the invariants checked
 * after every step, then settle and run the end-of-run checks. A failure report carries
 * the seed and the schedule, which is all a replay needs.
 */
import type { DcsTiming } from '../src/dcs/timing.js';
import type { AgentFactory } from './agent.js';
import { armTriggers, describeFault, generateSchedule, scheduleFaults, type AgentPauseTrigger, type FaultKind, type FaultSchedule } from './faults.js';
import { DEFAULT_MODELS, type SimModels } from './models.js';
import { InvariantChecker, type InvariantOptions, type Violation } from './invariants.js';
import type { PgModelTimings } from './pg-timings.js';
import { deriveRandom } from './random.js';
import type { WorkloadOptions } from './workload.js';
import { World } from './world.js';
import { attachStandbyChecks } from './standby-check.js';
import { StandbyPhase, type StandbyPhaseOptions } from './standby-phase.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly agent: AgentFactory;
  /** Virtual length of the run (default 6 min). */
  readonly durationMs?: number;
  readonly nodes?: readonly string[];
  /** Replay this schedule instead of drawing one from the seed. */
  readonly schedule?: FaultSchedule;
  readonly faults?: {
    readonly kinds?: readonly FaultKind[];
    readonly minFaults?: number;
    readonly maxFaults?: number;
    readonly maxFaultMs?: number;
    /** No faults before this (the cluster bootstraps first). */
    readonly warmupMs?: number;
  };
  readonly synchronousMode?: boolean;
  /**
   * Nodes tagged nofailover; 'draw': from the seed, one node in three runs gets the tag
   * (the invariants then check it never promotes). Default none.
   */
  readonly nofailover?: readonly string[] | 'draw';
  readonly rewindable?: boolean;
  readonly timing?: DcsTiming;
  readonly pgTimings?: Partial<PgModelTimings>;
  readonly workload?: WorkloadOptions | false;
  readonly invariants?: InvariantOptions;
  readonly debugLog?: boolean;
  /** Live log output (CLI --verbose). */
  readonly onLog?: (line: string) => void;
  /** Agent pauses pinned to instants (a promotion's first writable moment…), besides the schedule. */
  readonly triggers?: readonly AgentPauseTrigger[];
  /** DCS latency, replication bandwidth and write bursts (default DEFAULT_MODELS; CLASSIC_MODELS: none). */
  readonly models?: SimModels;
  /** A standby-cluster phase: standby_cluster written into /config, then removed (standby-phase.ts). */
  readonly standby?: StandbyPhaseOptions;
}

export interface SimulationStats {
  readonly steps: number;
  readonly virtualMs: number;
  readonly commitsAttempted: number;
  readonly commitsAcked: number;
  readonly syncAcked: number;
  readonly asyncLost: number;
  /** The most WAL (bytes) one failover lost of acknowledged asynchronous commits (async-loss-bound). */
  readonly asyncLostBytesMax: number;
  /** WAL bytes of the burst transactions acknowledged. */
  readonly burstBytesAcked: number;
  readonly fenceKills: number;
  /** Instants a node was writable past its lease while its agent was frozen or dead. */
  readonly fenceCoveredInstants: number;
  readonly fenceCoveredMs: number;
  readonly nofailover: readonly string[];
  readonly anomalies: readonly string[];
}

export interface SimulationResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly schedule: FaultSchedule;
  readonly violations: readonly Violation[];
  /** The whole event log, formatted. */
  readonly log: readonly string[];
  readonly stats: SimulationStats;
}

export const DEFAULT_DURATION_MS = 360_000;
/**
 * Every drawn schedule runs at least this long with at least this many faults
 * (warm-up 40 s + one fault + the liveness bound and two loops to settle).
 */
export const MIN_DURATION_MS = 180_000;
export const MIN_FAULTS = 2;
/** No fault (and no DCS latency spike) before this: the cluster bootstraps first. */
export const DEFAULT_WARMUP_MS = 40_000;

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const names = options.nodes ?? ['node1', 'node2', 'node3'];
  const nofailover = options.nofailover === 'draw' ? drawNofailover(options.seed, names) : options.nofailover ?? [];
  const world = new World({
    nodes: names,
    nofailover,
    seed: options.seed,
    timing: options.timing,
    pgTimings: options.pgTimings,
    synchronousMode: options.synchronousMode,
    rewindable: options.rewindable,
    agentFactory: options.agent,
    workload: options.workload,
    debugLog: options.debugLog,
    models: options.models ?? DEFAULT_MODELS,
  });
  world.log.sink = options.onLog;
  const checker = new InvariantChecker(world, { nofailover, ...options.invariants });
  const duration = options.durationMs ?? DEFAULT_DURATION_MS;
  // Faults end early enough for the cluster to recover and be judged (liveness bound).
  const settle = checker.livenessBoundMs + 2 * world.timing.loopWait * 1000;
  const schedule = options.schedule ?? drawSchedule(options, world.nodes.map((n) => n.name), duration, settle);
  world.faultWindowStart = options.faults?.warmupMs ?? DEFAULT_WARMUP_MS;
  world.faultWindowEnd = Math.max(0, duration - settle);

  checker.attach();
  if (options.standby) {
    const phase = new StandbyPhase(world, options.standby);
    phase.install();
    attachStandbyChecks(world, checker, phase);
  }
  world.log.add('sim', `seed ${options.seed}, ${world.nodes.length} nodes, ${schedule.length} faults, ${duration / 1000}s`);
  scheduleFaults(world, schedule);
  armTriggers(world, options.triggers ?? []);
  world.start();
  await world.runUntil(duration);
  if (!world.isStopped) checker.checkEnd();
  world.workload?.stop();

  const acked = world.nodes.flatMap((n) => n.pg.acked);
  // Formatted when first read: a passing run's thousands of lines are seldom looked at.
  let log: readonly string[] | undefined;
  const result: SimulationResult = {
    ok: checker.violations.length === 0,
    seed: options.seed,
    schedule,
    violations: checker.violations,
    get log() {
      return (log ??= world.log.formatted());
    },
    stats: {
      steps: world.steps,
      virtualMs: world.clock.now(),
      commitsAttempted: world.workload?.attempts ?? 0,
      commitsAcked: acked.length,
      syncAcked: acked.filter((c) => c.sync).length,
      asyncLost: checker.lostCommits().async.length,
      asyncLostBytesMax: checker.lossBound.maxLostBytes,
      burstBytesAcked: world.workload?.burstBytesAcked ?? 0,
      fenceKills: world.nodes.reduce((sum, n) => sum + n.fence.fired, 0),
      fenceCoveredInstants: checker.fenceCoveredInstants,
      fenceCoveredMs: checker.fenceCoveredMs,
      nofailover,
      anomalies: world.nodes.flatMap((n) => n.pg.anomalies.map((a) => `${n.name}: ${a}`)),
    },
  };
  return result;
}

function drawSchedule(options: SimulationOptions, nodes: readonly string[], duration: number, settle: number): FaultSchedule {
  const f = options.faults ?? {};
  if (duration < MIN_DURATION_MS) throw new Error(`a drawn schedule needs at least ${MIN_DURATION_MS / 1000}s of virtual time`);
  const startMs = f.warmupMs ?? DEFAULT_WARMUP_MS;
  const endMs = Math.max(startMs + 1000, duration - settle);
  return generateSchedule(deriveRandom(options.seed, 'schedule'), {
    nodes,
    startMs,
    endMs,
    minFaults: Math.max(MIN_FAULTS, f.minFaults ?? MIN_FAULTS),
    maxFaults: Math.max(MIN_FAULTS, f.maxFaults ?? 5),
    maxFaultMs: f.maxFaultMs ?? 60_000,
    kinds: f.kinds,
  });
}

/** One run in three tags one node nofailover (its own random stream: other draws do not shift). */
function drawNofailover(seed: number, nodes: readonly string[]): string[] {
  const random = deriveRandom(seed, 'tags');
  if (random() >= 1 / 3) return [];
  return [nodes[Math.floor(random() * nodes.length)]!];
}

/** What to print when a run fails: the seed, the schedule, the violation and the log tail. */
export function formatFailure(result: SimulationResult, replay: string, tailLines = 60): string {
  const lines = [
    `simulation FAILED — seed ${result.seed}`,
    ...result.violations.map((v) => `  violated ${v.invariant} at ${(v.at / 1000).toFixed(3)}s: ${v.message}`),
    'fault schedule:',
    ...result.schedule.map((s) => `  at ${(s.at / 1000).toFixed(3)}s ${describeFault(s.fault)}`),
    `schedule JSON: ${JSON.stringify(result.schedule)}`,
    `replay: ${replay}`,
    `last ${tailLines} log lines:`,
    ...result.log.slice(-tailLines).map((l) => `  ${l}`),
  ];
  return lines.join('\n');
}
