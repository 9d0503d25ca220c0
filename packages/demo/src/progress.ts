/**
 * Waiting on a condition with a deadline, showing that we wait. On a terminal the line
 * updates in place; in a pipe (CI, the demo's own test) one line every 5 s.
 */
export class StepTimeout extends Error {}

const tty = Boolean(process.stdout.isTTY);
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function say(line = ''): void {
  if (tty) process.stdout.write('\r\x1b[2K');
  process.stdout.write(`${line}\n`);
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Extra words after the elapsed time, e.g. what we are waiting for right now. */
  readonly detail?: () => string;
}

/**
 * Polls `probe` until it returns a value; fails with a message naming the step and its
 * deadline. Errors from the probe count as "not yet" (the last one is reported).
 */
export async function waitFor<T>(label: string, probe: () => Promise<T | null | undefined | false>, opts: WaitOptions): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let lastError: unknown = null;
  let frame = 0;
  let lastPrinted = started;
  for (;;) {
    try {
      const v = await probe();
      if (v) {
        if (tty) process.stdout.write('\r\x1b[2K');
        return { value: v, ms: Date.now() - started };
      }
    } catch (e) {
      lastError = e;
    }
    const elapsed = Date.now() - started;
    if (elapsed > opts.timeoutMs) {
      if (tty) process.stdout.write('\r\x1b[2K');
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new StepTimeout(`${label}: did not happen within ${Math.round(opts.timeoutMs / 1000)} s${why}`);
    }
    const detail = opts.detail ? ` ${opts.detail()}` : '';
    if (tty) process.stdout.write(`\r\x1b[2K  ${FRAMES[frame++ % FRAMES.length]} ${label}… ${(elapsed / 1000).toFixed(1)}s${detail}`);
    else if (Date.now() - lastPrinted >= 5000) {
      lastPrinted = Date.now();
      process.stdout.write(`  … ${label} (${(elapsed / 1000).toFixed(0)}s)${detail}\n`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
