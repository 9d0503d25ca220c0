#!/usr/bin/env node
// `pnpm bench [args]` (root or @pgwarden/agent): build the agent and what it depends on,
// bundle the benchmark, then run it with the arguments passed through. A plain script
// rather than `turbo run bench` because turbo would not pass `--vs patroni` on.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(agentDir, '..', '..');

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// `run.mjs tail …` runs the health-check tail benchmark (tail-main.ts) instead of the main
// one; `fast`, `soak`, `fleet` and `memory` run the fast-profile failover rounds, the soak,
// the fleet benchmark and the memory breakdown.
const SUBCOMMANDS = { tail: 'tail-main.js', fast: 'fast-profile-main.js', soak: 'soak.js', fleet: 'fleet.js', memory: 'memory.js', 'pg-cost': 'pg-query-cost.js' };
const sub = Object.hasOwn(SUBCOMMANDS, process.argv[2] ?? '') ? process.argv[2] : null;
const args = process.argv.slice(sub ? 3 : 2);
// --no-build: run against the packages' dist as they are (e.g. while someone else's
// half-finished change keeps a dependency from building).
if (!args.includes('--no-build')) {
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@pgwarden/agent...', '--output-logs=errors-only'], root);
}
run('pnpm', ['exec', 'tsup', '--config', 'bench/tsup.config.ts', '--silent'], agentDir);
// pnpm passes a literal `--` through when the user writes one; the bench ignores it.
run(process.execPath, [join(agentDir, 'bench', 'dist', sub ? SUBCOMMANDS[sub] : 'main.js'), ...args.filter((a) => a !== '--no-build')], agentDir);
