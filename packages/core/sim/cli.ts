/**
 * Command line for the simulation. Node 20 cannot run TypeScript directly here, so it is
 * bundled by tsup first (docs/simulation.md):
 *
 *   npx tsup --config sim/tsup.config.ts
 *   node sim/dist/cli.js --seed 42                 # one seed, report on failure
 *   node sim/dist/cli.js --seeds 1..500 --sync     # a range
 *   node sim/dist/cli.js --seed 42 --schedule '[…]' --verbose   # exact replay, full log
 *
 * Exit code 0 when every run passed, 1 when one failed, 2 on bad arguments.
 */
import { pathToFileURL } from 'node:url';
import type { AgentFactory } from './agent.js';
import { engineAgent } from './agents/engine-agent.js';
import { scriptedAgent } from './agents/scripted-agent.js';
import { ALL_FAULT_KINDS, type FaultKind, type FaultSchedule } from './faults.js';
import { formatFailure, runSimulation } from './runner.js';

export const AGENTS: Readonly<Record<string, () => AgentFactory>> = {
  engine: () => engineAgent(),
  'engine-nofence': () => engineAgent({ fence: false }),
  scripted: () => scriptedAgent(),
  'scripted-broken': () => scriptedAgent({ neverDemote: true, noFence: true }),
};

export interface CliArgs {
  readonly seeds: readonly number[];
  readonly agent: string;
  readonly sync: boolean;
  readonly durationMs: number | undefined;
  readonly schedule: FaultSchedule | undefined;
  readonly kinds: readonly FaultKind[] | undefined;
  readonly verbose: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs | string {
  let seeds: number[] = [1];
  let agent = 'engine';
  let sync = false;
  let durationMs: number | undefined;
  let schedule: FaultSchedule | undefined;
  let kinds: FaultKind[] | undefined;
  let verbose = false;
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
        const m = /^(\d+)\.\.(\d+)$/.exec(value());
        if (!m) return '--seeds takes A..B';
        seeds = [];
        for (let s = Number(m[1]); s <= Number(m[2]); s++) seeds.push(s);
      } else if (arg === '--agent') agent = value();
      else if (arg === '--sync') sync = true;
      else if (arg === '--duration') durationMs = Number(value()) * 1000;
      else if (arg === '--schedule') schedule = JSON.parse(value()) as FaultSchedule;
      else if (arg === '--faults') kinds = value().split(',') as FaultKind[];
      else if (arg === '--verbose') verbose = true;
      else return `unknown argument ${arg}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  if (seeds.some((s) => !Number.isInteger(s))) return 'seeds must be integers';
  if (!(agent in AGENTS)) return `unknown agent ${agent}; one of ${Object.keys(AGENTS).join(', ')}`;
  if (kinds?.some((k) => !ALL_FAULT_KINDS.includes(k))) return `fault kinds: ${ALL_FAULT_KINDS.join(', ')}`;
  return { seeds, agent, sync, durationMs, schedule, kinds, verbose };
}

/** The command that replays a run exactly. */
export function replayCommand(args: CliArgs, seed: number, schedule: FaultSchedule): string {
  const parts = ['node sim/dist/cli.js', `--seed ${seed}`, `--agent ${args.agent}`];
  if (args.sync) parts.push('--sync');
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
  let failed = 0;
  for (const seed of args.seeds) {
    const result = await runSimulation({
      seed,
      agent: AGENTS[args.agent]!(),
      synchronousMode: args.sync,
      durationMs: args.durationMs,
      schedule: args.schedule,
      faults: args.kinds ? { kinds: args.kinds } : undefined,
      onLog: args.verbose ? out : undefined,
    });
    if (result.ok) {
      const s = result.stats;
      out(`seed ${seed}: ok (${result.schedule.length} faults, ${s.commitsAcked} commits acked, ${s.syncAcked} sync, ${s.asyncLost} async lost, ${s.fenceKills} fence kills)`);
    } else {
      failed++;
      out(formatFailure(result, replayCommand(args, seed, result.schedule)));
    }
  }
  if (args.seeds.length > 1) out(`${args.seeds.length - failed}/${args.seeds.length} seeds passed`);
  return failed > 0 ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2), (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
