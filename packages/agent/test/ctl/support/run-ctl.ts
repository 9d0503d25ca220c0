/**
 * Runs the BUILT pgwardenctl (bin/pgwardenctl.js → dist/ctl/main.js) as a child
 * process, as an operator would; `input` is piped to stdin to answer prompts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/pgwardenctl.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/ctl/main.js', import.meta.url));

export interface CtlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCtl(args: readonly string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CtlResult> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (pnpm --filter @pgwarden/agent build)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TZ: 'UTC', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Starts pgwardenctl and answers each prompt when it appears: `steps` pairs a text to
 * wait for in stdout with the line to send, and an optional action to run first.
 */
export function runCtlInteractive(
  args: readonly string[],
  steps: readonly { waitFor: string; before?: () => Promise<void>; send: string }[],
  options: { env?: Record<string, string> } = {},
): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TZ: 'UTC', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let step = 0;
    let busy = false;
    const advance = (): void => {
      const next = steps[step];
      if (busy || !next || !stdout.includes(next.waitFor)) return;
      busy = true;
      step++;
      void (next.before ?? (async () => {}))()
        .then(() => {
          child.stdin.write(`${next.send}\n`);
          if (step === steps.length) child.stdin.end();
          busy = false;
          advance();
        })
        .catch(reject);
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      advance();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
