/** Runs the network tools (ip, nft) as root, each call with a deadline. */
import { execFileSync } from 'node:child_process';

export class ChaosSetupError extends Error {
  readonly code = 'chaos-setup';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChaosSetupError';
  }
}

export function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new ChaosSetupError(`${command} ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** The same, for cleanup: what is already gone is not an error. */
export function runQuietly(command: string, args: readonly string[]): void {
  try {
    execFileSync(command, args, { timeout: 10_000, stdio: 'ignore' });
  } catch {
    /* already removed */
  }
}
