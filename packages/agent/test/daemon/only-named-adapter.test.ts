/**
 * The agent and pgwardenctl import only the DCS adapter their config names: the other
 * adapters and their client libraries (gRPC, ZooKeeper, Redis, Consul) cost tens of MB
 * of memory and start-up time when loaded. Checked on the built programs in a child
 * process, with a module-resolution hook recording every module it loads.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeConfig } from './helpers.js';

const agentDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'pgwarden-only-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Registers a resolve hook that appends each resolved URL to $RESOLVED_LOG. */
function writeHooks(): string {
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
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  return pathToFileURL(register).href;
}

interface Run {
  readonly resolved: string[];
  readonly stderr: string;
}

/**
 * Runs `bin/<program> args`; `until` (a stderr pattern) sends SIGTERM once seen,
 * otherwise the program runs to its end. Resolves with the modules it resolved.
 */
function run(program: string, args: readonly string[], log: string, until?: RegExp): Promise<Run> {
  const bin = join(agentDir, 'bin', program);
  if (!existsSync(join(agentDir, 'dist', 'main.js'))) {
    throw new Error(`${join(agentDir, 'dist')} is not built; run: pnpm turbo run build --filter=@pgwarden/agent...`);
  }
  const child = spawn(process.execPath, ['--import', writeHooks(), bin, ...args], {
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
      done({ resolved: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [], stderr });
    });
  });
}

const OTHERS = ['dcs-zookeeper', 'dcs-redis', 'dcs-consul', 'node-zookeeper-client', 'ioredis', 'consul@'];
const loaded = (urls: readonly string[], part: string): string[] => urls.filter((u) => u.includes(`/${part}`));

describe('DCS adapter loading', () => {
  it('the agent imports the etcd3 adapter for an etcd3 section, and no other adapter', async () => {
    // Port 1 refuses: the agent imports the adapter, then waits for etcd, where it is stopped.
    const config = writeConfig(dir, '127.0.0.1:1');
    const r = await run('pgwarden.js', [config], join(dir, 'agent.log'), /Waiting on etcd3/);
    expect(r.stderr).toContain('Waiting on etcd3');
    expect(loaded(r.resolved, 'dcs-etcd').length, r.stderr).toBeGreaterThan(0);
    for (const other of OTHERS) expect(loaded(r.resolved, other), `${other} was loaded`).toEqual([]);
  }, 90_000);

  it('pgwardenctl does the same', async () => {
    const config = writeConfig(dir, '127.0.0.1:1');
    const r = await run('pgwardenctl.js', ['-c', config, 'list'], join(dir, 'ctl.log'));
    expect(loaded(r.resolved, 'dcs-etcd').length, r.stderr).toBeGreaterThan(0);
    for (const other of OTHERS) expect(loaded(r.resolved, other), `${other} was loaded`).toEqual([]);
  }, 90_000);
});
