#!/usr/bin/env node
// `pnpm chaos [args]` (root or @pgwarden/agent): build the agent and what it depends on,
// bundle the chaos runner, then run it with the arguments passed through.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(agentDir, '..', '..');
const args = process.argv.slice(2);

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!args.includes('--no-build')) {
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@pgwarden/agent...', '--output-logs=errors-only'], root);
}
run('pnpm', ['exec', 'tsup', '--config', 'chaos/tsup.config.ts', '--silent'], agentDir);
// --out is taken relative to where the user ran `pnpm chaos` (pnpm runs scripts from the package dir).
const cwd = process.env.INIT_CWD ?? process.cwd();
run(process.execPath, [join(agentDir, 'chaos', 'dist', 'main.js'), ...args.filter((a) => a !== '--no-build' && a !== '--')], cwd);
