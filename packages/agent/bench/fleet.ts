/**
 * `pnpm bench fleet [--steps 10,25,50,100,200] [--window 30] [--profile default|fast] [--wal-rate 65536]`:
 * the sweep of fleet-run.ts (N clusters of HA engines against one real etcd, N stepping
 * up until a DCS call's p99 passes a quarter of retry_timeout), printed as a table.
 */
import { increasingCounts } from './args.js';
import { DEFAULT_PROFILE, FAST_PROFILE } from './fast-profile.js';
import { DEFAULT_WAL_BYTES_PER_SECOND } from './fleet-postgres.js';
import { fleetReport, runFleet } from './fleet-run.js';
import { runMain } from './run-main.js';

const USAGE = 'usage: pnpm bench fleet [--steps 10,25,50,100,200] [--window 30] [--profile default|fast] [--wal-rate BYTES_PER_S] [--no-build]';

interface FleetArgs {
  readonly steps: readonly number[];
  readonly windowS: number;
  readonly profile: typeof DEFAULT_PROFILE;
  /** WAL each primary writes per second; 0 = idle databases. */
  readonly walRate: number;
}

function parseFleetArgs(argv: readonly string[]): FleetArgs {
  let steps: readonly number[] = [10, 25, 50, 100, 200];
  let windowS = 30;
  let profile = DEFAULT_PROFILE;
  let walRate = DEFAULT_WAL_BYTES_PER_SECOND;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '--no-build') continue;
    const v = argv[++i];
    if (a === '--steps' && v) steps = increasingCounts(v, '--steps', USAGE);
    else if (a === '--window' && v) windowS = Number(v);
    else if (a === '--wal-rate' && v && Number(v) >= 0) walRate = Number(v);
    else if (a === '--profile' && (v === 'default' || v === 'fast')) profile = v === 'fast' ? FAST_PROFILE : DEFAULT_PROFILE;
    else throw new Error(`${a === '--help' || a === '-h' ? '' : `bad argument ${a} ${v ?? ''}\n`}${USAGE}`);
  }
  if (!(windowS > 0)) throw new Error(`--window needs a positive number of seconds\n${USAGE}`);
  return { steps, windowS, profile, walRate };
}

const log = (line: string): void => void process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const result = await runFleet({ ...parseFleetArgs(process.argv.slice(2)), log });
  process.stdout.write(`\n${fleetReport(result)}`);
  return 0;
}

runMain(main);
