/**
 * `pnpm soak [--minutes 30] [--no-stress] [--no-latency]`: the soak of soak-run.ts alone,
 * for as long as asked. Prints its summary and exits 1 if anything spurious was seen (a
 * leader change, a lost lock, a fence action, an agent exit), 2 if it could not run.
 */
import { now } from './clock.js';
import { runSoak, soakReport, spuriousCount } from './soak-run.js';
import { runMain } from './run-main.js';

interface SoakArgs {
  readonly minutes: number;
  readonly stress: boolean;
  readonly latency: boolean;
}

const USAGE = 'usage: pnpm soak [--minutes 30] [--no-stress] [--no-latency] [--no-build]';

function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let minutes = 30;
  let stress = true;
  let latency = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '--no-build') continue;
    if (a === '--minutes') {
      minutes = Number(argv[++i]);
      if (!(minutes > 0)) throw new Error(`--minutes needs a positive number of minutes\n${USAGE}`);
    } else if (a === '--no-stress') stress = false;
    else if (a === '--no-latency') latency = false;
    else throw new Error(`${a === '--help' || a === '-h' ? '' : `unknown argument ${a}\n`}${USAGE}`);
  }
  return { minutes, stress, latency };
}

async function main(): Promise<number> {
  const args = parseSoakArgs(process.argv.slice(2));
  const started = now();
  const log = (line: string): void => void process.stderr.write(`[soak +${Math.round((now() - started) / 1000)}s] ${line}\n`);
  const result = await runSoak({ ...args, log });
  process.stdout.write(`\n${soakReport(result)}`);
  return spuriousCount(result) === 0 ? 0 : 1;
}

runMain(main);
