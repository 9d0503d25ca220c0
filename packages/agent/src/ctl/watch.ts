/**
 * `-W` (every 2 s) and `-w N` (every N s): repeat a command's output until
 * interrupted, clearing the screen between rounds when stdout is a terminal.
 */
export async function watching(w: boolean, every: number | undefined, round: () => Promise<void>): Promise<void> {
  const interval = every ?? (w ? 2 : undefined);
  const clear = (): void => {
    if (interval && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
  };
  clear();
  await round();
  while (interval) {
    await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    clear();
    await round();
  }
}

export function parseWatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Invalid value for '-w': '${value}' is not a valid float.`);
  return n;
}
