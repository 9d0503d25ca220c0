#!/usr/bin/env node
// `pnpm test`: builds every package once, then runs the agent's suite (the longest, mostly
// end-to-end clusters) beside the other packages' suites, those one after another. Two
// streams on two cores finish in about the agent suite's time; the builds come first
// because two builds writing the same dist/ at once leave it empty for a moment.
import { spawn } from 'node:child_process';

const AGENT = '@pgwarden/agent';

function run(args) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['exec', 'turbo', ...args], { stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const built = await run(['run', 'build']);
if (built !== 0) process.exit(built);
const codes = await Promise.all([
  run(['run', 'test', '--only', `--filter=${AGENT}`]),
  run(['run', 'test', '--only', `--filter=!${AGENT}`, '--concurrency=1']),
]);
process.exit(codes.find((code) => code !== 0) ?? 0);
