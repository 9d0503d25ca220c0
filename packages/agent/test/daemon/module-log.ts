/**
 * Runs a built program (bin/pgwarden.js, bin/pgwardenctl.js) in a child process with a
 * module-resolution hook that records every module `import` resolves, and the files
 * in the CommonJS require cache as of its last line on stderr: what a running agent
 * holds in memory.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const agentDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Writes the hook into `dir`: resolved URLs go to $RESOLVED_LOG; the files in the require
 * cache go to $RESOLVED_LOG.cjs each time the program writes to stderr (a signal may end
 * it without an exit event), so the file holds them as of its last line.
 */
function writeHooks(dir: string): string {
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.RESOLVED_LOG, r.url + '\\n');
  return r;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register, createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
const cache = createRequire(import.meta.url).cache;
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (...args) => {
  writeFileSync(process.env.RESOLVED_LOG + '.cjs', Object.keys(cache).join('\\n'));
  return write(...args);
};
`,
  );
  return pathToFileURL(register).href;
}

export interface ModuleRun {
  /** URLs of the modules `import` resolved. */
  readonly resolved: string[];
  /** Files in the require cache when the program last wrote to stderr. */
  readonly required: string[];
  readonly stderr: string;
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/**
 * Runs `bin/<program> args` with the hook (files in `dir`); `until` (a stderr pattern)
 * sends SIGTERM once seen, otherwise the program runs to its end.
 */
export function runRecordingModules(dir: string, program: string, args: readonly string[], log: string, until?: RegExp): Promise<ModuleRun> {
  const bin = join(agentDir, 'bin', program);
  if (!existsSync(join(agentDir, 'dist', 'main.js'))) {
    throw new Error(`${join(agentDir, 'dist')} is not built; run: pnpm turbo run build --filter=@pgwarden/agent...`);
  }
  const child = spawn(process.execPath, ['--import', writeHooks(dir), bin, ...args], {
    env: { ...process.env, RESOLVED_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (until?.test(stderr)) child.kill('SIGTERM');
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((done) => {
    child.once('exit', () => {
      clearTimeout(deadline);
      done({ resolved: lines(log), required: lines(`${log}.cjs`), stderr });
    });
  });
}
