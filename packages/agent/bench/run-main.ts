/**
 * The process wrapper of a benchmark entry point: its exit code, its error on stderr,
 * and Ctrl-C turned into an exit that still runs the testkit's hooks (which kill every
 * process started, by PID).
 */
export function runMain(main: () => Promise<number>): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    },
  );
}
