/** Command line of `pnpm bench`. */
import { SCENARIO_NAMES, type ScenarioName } from './metrics.js';

export interface BenchArgs {
  /** Also run Patroni (`--vs patroni`). */
  readonly vsPatroni: boolean;
  /** Shorter windows, and the failure scenarios only at 20/1/3 (`--quick`). */
  readonly quick: boolean;
  /** Scenarios to run (`--only a,b`); all by default. */
  readonly only: readonly ScenarioName[];
  readonly patroniBin: string;
}

export const USAGE = `usage: pnpm bench [--vs patroni] [--quick] [--only ${SCENARIO_NAMES.join(',')}] [--patroni-bin PATH] [--no-build]`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  let vsPatroni = false;
  let quick = false;
  let only: ScenarioName[] = [...SCENARIO_NAMES];
  let patroniBin = '/usr/bin/patroni';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--') continue;
    else if (a === '--vs') {
      const v = value();
      if (v !== 'patroni') throw new Error(`--vs ${v}: only "patroni" can be compared against\n${USAGE}`);
      vsPatroni = true;
    } else if (a === '--vs=patroni') vsPatroni = true;
    else if (a === '--quick') quick = true;
    else if (a === '--only') {
      const names = value().split(',').filter(Boolean);
      for (const n of names) if (!SCENARIO_NAMES.includes(n as ScenarioName)) throw new Error(`--only ${n}: unknown scenario; known: ${SCENARIO_NAMES.join(', ')}`);
      only = names as ScenarioName[];
    } else if (a === '--patroni-bin') patroniBin = value();
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return { vsPatroni, quick, only, patroniBin };
}
