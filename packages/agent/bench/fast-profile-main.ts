/**
 * `pnpm bench fast [--rounds 5] [--vs patroni] [--profiles fast,default]`: host loss →
 * writable, the median of several rounds, on the fast profile (docs/fast-failover.md)
 * and on Patroni's default timing, for pgwarden and (with `--vs patroni`) Patroni on the
 * same patroni.yml. A benchmark: exits 0 when the target is missed, 1 when a profile
 * could not be measured.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { now } from './clock.js';
import { DEFAULT_PROFILE, FAST_FENCE_MARGIN_S, FAST_PROFILE } from './fast-profile.js';
import { FAST_TARGET_S, measureHostLossRounds, summarizeRounds, type RoundsAgent } from './fast-profile-measure.js';
import { table } from './table.js';
import { runMain } from './run-main.js';

const PROFILES = { fast: FAST_PROFILE, default: DEFAULT_PROFILE } as const;
type ProfileName = keyof typeof PROFILES;

const USAGE = 'usage: pnpm bench fast [--rounds 5] [--vs patroni] [--patroni-bin PATH] [--profiles fast,default] [--no-build]';

interface FastArgs {
  readonly rounds: number;
  readonly agents: readonly RoundsAgent[];
  readonly patroniBin: string;
  readonly profiles: readonly ProfileName[];
}

function parseFastArgs(argv: readonly string[]): FastArgs {
  let rounds = 5;
  let agents: RoundsAgent[] = ['pgwarden'];
  let patroniBin = '/usr/bin/patroni';
  let profiles: ProfileName[] = ['fast', 'default'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => argv[++i] ?? (() => { throw new Error(`${a} needs a value\n${USAGE}`); })();
    if (a === '--' || a === '--no-build') continue;
    if (a === '--rounds') {
      rounds = Number(value());
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds needs a whole number ≥ 1\n${USAGE}`);
    } else if (a === '--vs' || a === '--vs=patroni') {
      if (a === '--vs' && value() !== 'patroni') throw new Error(`--vs: only "patroni" can be compared against\n${USAGE}`);
      agents = ['pgwarden', 'patroni'];
    } else if (a === '--patroni-bin') patroniBin = value();
    else if (a === '--profiles') {
      profiles = value().split(',').filter(Boolean) as ProfileName[];
      for (const p of profiles) if (!(p in PROFILES)) throw new Error(`--profiles ${p}: known profiles are ${Object.keys(PROFILES).join(', ')}`);
    } else throw new Error(`${a === '--help' || a === '-h' ? '' : `unknown argument ${a}\n`}${USAGE}`);
  }
  if (agents.includes('patroni') && !existsSync(patroniBin)) throw new Error(`--vs patroni: ${patroniBin} not found; apt-get install -y patroni, or pass --patroni-bin PATH`);
  return { rounds, agents, patroniBin, profiles };
}

const started = now();
const log = (line: string): void => void process.stderr.write(`[fast +${Math.round((now() - started) / 1000)}s] ${line}\n`);

async function main(): Promise<number> {
  const args = parseFastArgs(process.argv.slice(2));
  const loadBefore = loadavg()[0]!;
  const rows: string[][] = [];
  const errors: string[] = [];
  for (const name of args.profiles) {
    const timing = PROFILES[name];
    for (const agent of args.agents) {
      log(`${agent} at ${timing.label}: ${args.rounds} rounds`);
      try {
        const r = summarizeRounds(await measureHostLossRounds(agent, timing, { rounds: args.rounds, patroniBin: args.patroniBin, log }));
        const target = name === 'fast' ? `≤ ${FAST_TARGET_S} s` : '-';
        const met = name === 'fast' ? (r.writableS <= FAST_TARGET_S ? 'yes' : 'NO') : '-';
        rows.push([`${name} ${timing.label}`, agent, `${r.writableS.toFixed(2)} s`, `${r.minS.toFixed(2)}–${r.maxS.toFixed(2)} s`, `${r.expiryS.toFixed(2)} s`, `${r.takeoverS.toFixed(2)} s`, target, met]);
      } catch (e) {
        errors.push((e as Error).message);
        rows.push([`${name} ${timing.label}`, agent, 'error', '-', '-', '-', '-', '-']);
      }
    }
  }
  const minutes = (now() - started) / 60_000;
  process.stdout.write(
    `\nhost loss → writable (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} before / ${loadavg()[0]!.toFixed(2)} after, ${minutes.toFixed(1)} min, ${args.rounds} rounds each)\n` +
      `Profiles are ttl/loop_wait/retry_timeout; the fast profile also sets pgwarden.fence_margin ${FAST_FENCE_MARGIN_S}. Medians over the rounds; what each column means: docs/benchmarks.md.\n\n` +
      table(['profile', 'agent', 'kill → writable, median', 'range', 'kill → lease expiry', 'expiry → writable', 'target', 'met?'], rows) +
      '\n',
  );
  if (errors.length) process.stdout.write(`\nProfiles that could not be measured:\n${errors.join('\n\n')}\n`);
  return errors.length ? 1 : 0;
}

runMain(main);
