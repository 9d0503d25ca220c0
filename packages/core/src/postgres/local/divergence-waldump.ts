import { formatLsn, parseLsn } from './lsn.js';

/**
 * Where the checkpoint record at `lsn` ends, read from `pg_waldump -s <lsn> -n 2`.
 *
 * A cleanly stopped primary's shutdown checkpoint is its last record: pg_waldump prints
 * that one record and then fails to read the next, naming where the next one would
 * start — the end of the checkpoint, alignment included:
 *
 *   pg_waldump: error: error in WAL record at 0/1500790: invalid record length at 0/1500808: wanted 24, got 0
 *
 * The first position in that line is the checkpoint's START; only the one after
 * "invalid record length at" is its end. Anything else (a second record after the
 * checkpoint, another error, a different record printed) means the end is unknown, and
 * the caller treats the node as diverged.
 */
export function checkpointEndFromWaldump(stdout: string, stderr: string, lsn: number): number | null {
  const records = stdout.split('\n').filter((l) => /\blsn: [0-9A-F]+\/[0-9A-F]+/i.test(l));
  if (records.length !== 1) return null;
  const printed = /\blsn: ([0-9A-F]+\/[0-9A-F]+)/i.exec(records[0]!);
  if (parseLsn(printed?.[1]) !== lsn) return null;
  // "wanted 24" up to PG 15, "expected at least 24" from PG 16 on.
  const m = /error in WAL record at ([0-9A-F]+\/[0-9A-F]+): invalid record length at ([0-9A-F]+\/[0-9A-F]+): (?:wanted|expected at least) /i.exec(stderr);
  if (!m || parseLsn(m[1]) !== lsn) return null;
  return parseLsn(m[2]);
}

/** The pg_waldump arguments that read the record at `lsn` and the one after it. */
export function waldumpArgs(walDir: string, timeline: number, lsn: number): string[] {
  return ['-p', walDir, '-t', String(timeline), '-s', formatLsn(lsn), '-n', '2'];
}
