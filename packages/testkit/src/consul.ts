/**
 * Starts the Consul protocol double (consul-double/) as a separate process on a free
 * loopback port. No Consul server can be installed on these machines, so the Consul
 * adapter is tested against this double; the same suites run against a real agent
 * when CONSUL_HTTP_ADDR is set.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { killProcess, onProcessExit, signal, spawnTracked, stopProcess } from './process.js';

export interface StartConsulDoubleOptions {
  /** The agent's minimum session TTL (Consul's default is 10s). */
  readonly sessionTtlMin?: string;
  /** Require this ACL token on every request. */
  readonly token?: string;
  readonly datacenter?: string;
}

export interface ConsulDouble {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** SIGTERM; state stays on disk. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same state. */
  start(): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** How many HTTP requests the double has served since it last started. */
  requests(): Promise<number>;
  close(): Promise<void>;
}

/** The built entry point: next to this file in dist/, or dist/ seen from src/. */
function doubleEntry(): string {
  for (const candidate of ['./consul-double/main.js', '../dist/consul-double/main.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the Consul double is not built: run `pnpm --filter @pgwarden/testkit build`');
}

export async function startConsulDouble(options: StartConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-consul-'));
  const removeDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const args = [doubleEntry(), '--port', String(port), '--state', join(dir, 'state.json'), '--session-ttl-min', options.sessionTtlMin ?? '10s', '--dc', options.datacenter ?? 'dc1'];
  if (options.token) args.push('--token', options.token);
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = spawnTracked(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the Consul double did not start within 10 s: ${output}`)), 10_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the Consul double exited with ${code}: ${output}`));
      });
    });
  };
  await launch();

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    stop: async () => child && stopProcess(child),
    kill: async () => child && killProcess(child),
    start: launch,
    freeze: async () => child && signal(child, 'SIGSTOP'),
    thaw: async () => child && signal(child, 'SIGCONT'),
    requests: async () => {
      const res = await fetch(`${url}/_double/stats`, { headers: options.token ? { 'X-Consul-Token': options.token } : {} });
      return ((await res.json()) as { requests: number }).requests;
    },
    close: async () => {
      if (child) {
        signal(child, 'SIGCONT');
        await stopProcess(child);
      }
      rmSync(dir, { recursive: true, force: true });
      removeDir();
    },
  };
}
