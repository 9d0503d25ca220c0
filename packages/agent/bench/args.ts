/**
 * Command lines of `pnpm bench`, `pnpm bench:tail` and `pnpm bench memory`: one flag reader,
 * a set of flags each.
 * Flags take their value as the next word or after `=` (`--vs patroni`, `--vs=patroni`);
 * a literal `--` (which pnpm passes through) is ignored.
 */
import { existsSync } from 'node:fs';
import { SCENARIO_NAMES, SLOW, type ScenarioName, type Timing } from './metrics.js';

const DEFAULT_PATRONI_BIN = '/usr/bin/patroni';

/** `switch`: present or not; `value`: takes one value. */
type FlagKinds = Readonly<Record<string, 'switch' | 'value'>>;

/** Reads `argv` against `kinds`: each flag given, with its value (`true` for a switch). Throws the usage on anything else. */
function readFlags(argv: readonly string[], kinds: FlagKinds, usage: string): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') continue;
    if (word === '--help' || word === '-h') throw new Error(usage);
    const eq = word.indexOf('=');
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const kind = kinds[flag];
    if (!kind) throw new Error(`unknown argument ${word}\n${usage}`);
    if (kind === 'switch') {
      if (eq > 0) throw new Error(`${flag} takes no value\n${usage}`);
      out.set(flag, true);
      continue;
    }
    const value = eq > 0 ? word.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new Error(`${flag} needs a value\n${usage}`);
    out.set(flag, value);
  }
  return out;
}

function text(flags: Map<string, string | true>, flag: string): string | undefined {
  const v = flags.get(flag);
  return typeof v === 'string' ? v : undefined;
}

function wholeNumber(flags: Map<string, string | true>, flag: string, fallback: number, min: number, usage: string): number {
  const raw = text(flags, flag);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number ≥ ${min}, not ${raw}\n${usage}`);
  return n;
}

/** `--vs patroni`, the only comparison there is; checks the binary is there. */
function vsPatroni(flags: Map<string, string | true>, patroniBin: string, usage: string): boolean {
  const vs = text(flags, '--vs');
  if (vs === undefined) return false;
  if (vs !== 'patroni') throw new Error(`--vs ${vs}: only "patroni" can be compared against\n${usage}`);
  if (!existsSync(patroniBin)) {
    throw new Error(`--vs patroni: ${patroniBin} not found; install Debian's package (apt-get install -y patroni) or pass --patroni-bin PATH`);
  }
  return true;
}

export interface BenchArgs {
  /** Also run Patroni (`--vs patroni`). */
  readonly vsPatroni: boolean;
  /** Shorter windows, fewer rounds, a 1-minute soak and a smaller fleet sweep (`--quick`). */
  readonly quick: boolean;
  /** Scenarios to run: `--only a,b` (all by default) minus `--skip c,d`, in SCENARIO_NAMES order. */
  readonly scenarios: readonly ScenarioName[];
  readonly patroniBin: string;
  /** Host-loss rounds per agent on the fast profile (`fast`). */
  readonly fastRounds: number;
  /** Length of the `soak` scenario, in minutes. */
  readonly soakMinutes: number;
  /** Cluster counts of the `fleet` sweep, increasing. */
  readonly fleetSteps: readonly number[];
  /** Measuring window of each fleet step, in seconds. */
  readonly fleetWindowS: number;
  /** Measuring window of the `idle` scenario, in seconds (`--idle-seconds`). */
  readonly idleWindowS: number;
}

/** What `--quick` shortens, and the full run's values. */
export const BENCH_DEFAULTS = {
  full: { fastRounds: 3, soakMinutes: 3, fleetSteps: [10, 25, 50], fleetWindowS: 20, idleWindowS: 60 },
  quick: { fastRounds: 1, soakMinutes: 1, fleetSteps: [5, 10], fleetWindowS: 10, idleWindowS: 20 },
} as const;

export const USAGE =
  `usage: pnpm bench [--vs patroni] [--quick] [--only NAMES] [--skip NAMES] [--fast-rounds N] [--soak-minutes M] [--fleet-steps 10,25,50] [--idle-seconds S] [--patroni-bin PATH] [--no-build]\n` +
  `  NAMES: comma-separated, of ${SCENARIO_NAMES.join(', ')}\n` +
  `  defaults: --fast-rounds ${BENCH_DEFAULTS.full.fastRounds} --soak-minutes ${BENCH_DEFAULTS.full.soakMinutes} --fleet-steps ${BENCH_DEFAULTS.full.fleetSteps.join(',')} --idle-seconds ${BENCH_DEFAULTS.full.idleWindowS}; ` +
  `with --quick ${BENCH_DEFAULTS.quick.fastRounds}, ${BENCH_DEFAULTS.quick.soakMinutes}, ${BENCH_DEFAULTS.quick.fleetSteps.join(',')}, ${BENCH_DEFAULTS.quick.idleWindowS}`;

/** A comma-separated list of scenario names, each checked. */
function scenarioList(flags: Map<string, string | true>, flag: string): ScenarioName[] | undefined {
  const raw = text(flags, flag);
  if (raw === undefined) return undefined;
  const names = raw.split(',').filter(Boolean);
  for (const n of names) if (!(SCENARIO_NAMES as readonly string[]).includes(n)) throw new Error(`${flag} ${n}: unknown scenario; known: ${SCENARIO_NAMES.join(', ')}`);
  return names as ScenarioName[];
}

/** Increasing whole numbers ≥ 1, comma-separated (`10,25,50`). */
export function increasingCounts(raw: string, flag: string, usage: string): number[] {
  const steps = raw.split(',').map(Number);
  if (!steps.every((n, k) => Number.isInteger(n) && n > 0 && (k === 0 || n > steps[k - 1]!))) throw new Error(`${flag} needs increasing whole numbers, e.g. 10,25,50, not ${raw}\n${usage}`);
  return steps;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const flags = readFlags(
    argv,
    {
      '--vs': 'value',
      '--quick': 'switch',
      '--only': 'value',
      '--skip': 'value',
      '--patroni-bin': 'value',
      '--fast-rounds': 'value',
      '--soak-minutes': 'value',
      '--fleet-steps': 'value',
      '--idle-seconds': 'value',
    },
    USAGE,
  );
  const patroniBin = text(flags, '--patroni-bin') ?? DEFAULT_PATRONI_BIN;
  const only = scenarioList(flags, '--only') ?? SCENARIO_NAMES;
  const skip = scenarioList(flags, '--skip') ?? [];
  const scenarios = SCENARIO_NAMES.filter((n) => only.includes(n) && !skip.includes(n));
  if (scenarios.length === 0) throw new Error(`--only ${only.join(',')} with --skip ${skip.join(',')} leaves no scenario to run\n${USAGE}`);
  const quick = flags.has('--quick');
  const d = quick ? BENCH_DEFAULTS.quick : BENCH_DEFAULTS.full;
  const soakRaw = text(flags, '--soak-minutes');
  const soakMinutes = soakRaw === undefined ? d.soakMinutes : Number(soakRaw);
  if (!(soakMinutes > 0)) throw new Error(`--soak-minutes must be a positive number of minutes (e.g. 3 or 0.5), not ${soakRaw}\n${USAGE}`);
  const stepsRaw = text(flags, '--fleet-steps');
  return {
    vsPatroni: vsPatroni(flags, patroniBin, USAGE),
    quick,
    scenarios,
    patroniBin,
    fastRounds: wholeNumber(flags, '--fast-rounds', d.fastRounds, 1, USAGE),
    soakMinutes,
    fleetSteps: stepsRaw === undefined ? [...d.fleetSteps] : increasingCounts(stepsRaw, '--fleet-steps', USAGE),
    fleetWindowS: d.fleetWindowS,
    idleWindowS: wholeNumber(flags, '--idle-seconds', d.idleWindowS, 5, USAGE),
  };
}

export type TailKind = 'pgwarden' | 'baseline' | 'patroni';

export interface TailArgs {
  /** pgwarden first, then `baseline` and `patroni` when asked for. */
  readonly kinds: readonly TailKind[];
  /** Another pgwarden build's `bin/pgwarden.js` (`--baseline-bin`). */
  readonly baselineBin: string | null;
  readonly patroniBin: string;
  readonly quick: boolean;
  readonly switchovers: number;
  /** Run pgwarden agents with `--cpu-prof` into this directory (written when they stop). */
  readonly profileDir: string | null;
  /** Every agent kind runs this many times, alternating; the table shows medians. */
  readonly rounds: number;
}

export const TAIL_USAGE =
  'usage: pnpm bench:tail [--vs patroni] [--baseline-bin PATH/bin/pgwarden.js] [--patroni-bin PATH] [--quick] [--switchovers N] [--rounds N] [--profile DIR] [--no-build]';

export function parseTailArgs(argv: readonly string[]): TailArgs {
  const flags = readFlags(
    argv,
    { '--vs': 'value', '--baseline-bin': 'value', '--patroni-bin': 'value', '--quick': 'switch', '--switchovers': 'value', '--rounds': 'value', '--profile': 'value' },
    TAIL_USAGE,
  );
  const patroniBin = text(flags, '--patroni-bin') ?? DEFAULT_PATRONI_BIN;
  const vs = vsPatroni(flags, patroniBin, TAIL_USAGE);
  const baselineBin = text(flags, '--baseline-bin') ?? null;
  if (baselineBin && !existsSync(baselineBin)) {
    throw new Error(`--baseline-bin ${baselineBin} not found; build it first (pnpm turbo run build --filter=@pgwarden/agent... in that checkout)`);
  }
  return {
    kinds: ['pgwarden', ...(baselineBin ? (['baseline'] as const) : []), ...(vs ? (['patroni'] as const) : [])],
    baselineBin,
    patroniBin,
    quick: flags.has('--quick'),
    switchovers: wholeNumber(flags, '--switchovers', 3, 0, TAIL_USAGE),
    profileDir: text(flags, '--profile') ?? null,
    rounds: wholeNumber(flags, '--rounds', 1, 1, TAIL_USAGE),
  };
}

export interface MemoryArgs {
  /** Measure the import stages (`--agents-only` leaves them out). */
  readonly stages: boolean;
  /** Measure running agents (`--stages-only` leaves them out). */
  readonly agents: boolean;
  readonly runs: number;
  readonly timing: Timing;
  readonly windowSeconds: number;
  readonly baselineBin: string | null;
  readonly nodeOptions: string;
  readonly profileDir: string | null;
}

export const MEMORY_USAGE =
  'usage: pnpm bench memory [--stages-only | --agents-only] [--runs N] [--timing 30/10/10] [--window SECONDS] [--baseline-bin PATH/bin/pgwarden.js] [--node-options "FLAGS"] [--profile DIR] [--no-build]';

export function parseMemoryArgs(argv: readonly string[]): MemoryArgs {
  const flags = readFlags(
    argv,
    {
      '--stages-only': 'switch',
      '--agents-only': 'switch',
      '--runs': 'value',
      '--timing': 'value',
      '--window': 'value',
      '--baseline-bin': 'value',
      '--node-options': 'value',
      '--profile': 'value',
    },
    MEMORY_USAGE,
  );
  if (flags.has('--stages-only') && flags.has('--agents-only')) throw new Error(`--stages-only and --agents-only exclude each other\n${MEMORY_USAGE}`);
  const label = text(flags, '--timing') ?? SLOW.label;
  const parts = label.split('/').map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--timing ${label}: give ttl/loop_wait/retry_timeout in whole seconds, e.g. 30/10/10\n${MEMORY_USAGE}`);
  const baselineBin = text(flags, '--baseline-bin') ?? null;
  if (baselineBin && !existsSync(baselineBin)) {
    throw new Error(`--baseline-bin ${baselineBin} not found; build it first (pnpm turbo run build --filter=@pgwarden/agent... in that checkout)`);
  }
  return {
    stages: !flags.has('--agents-only'),
    agents: !flags.has('--stages-only'),
    runs: wholeNumber(flags, '--runs', 3, 1, MEMORY_USAGE),
    timing: { label, ttl: parts[0]!, loopWait: parts[1]!, retryTimeout: parts[2]! },
    windowSeconds: wholeNumber(flags, '--window', 60, 5, MEMORY_USAGE),
    baselineBin,
    nodeOptions: text(flags, '--node-options') ?? '',
    profileDir: text(flags, '--profile') ?? null,
  };
}
