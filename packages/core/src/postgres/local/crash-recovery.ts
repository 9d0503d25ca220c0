import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import { isBinaries } from './binaries.js';
import type { LocalContext } from './context.js';
import { readControlData } from './controldata.js';
import { lastLine, runProgram } from './run-program.js';

/** Control-file states after which pg_rewind and a normal start need no recovery first. */
export function isCleanShutdown(clusterState: string): boolean {
  return clusterState === 'shut down' || clusterState === 'shut down in recovery';
}

/**
 * Brings a data directory that was not shut down cleanly (a crashed or killed primary, an
 * unclean replica) to a clean shutdown state by running Postgres in single-user mode
 * with empty stdin: it replays WAL to the end and writes a shutdown checkpoint. The
 * recovery signal is removed first so single-user mode does crash recovery, not
 * archive recovery; archiving is disabled so nothing is shipped meanwhile.
 */
export async function runCrashRecovery(ctx: LocalContext, timeoutMs: number): Promise<PgResult> {
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return bins;
  const cd = await readControlData(bins, ctx.dataDir, ctx.runAs, 10_000);
  if (!cd.ok) return cd;
  if (isCleanShutdown(cd.value.clusterState)) return ok();
  await rm(join(ctx.dataDir, 'standby.signal'), { force: true });
  await rm(join(ctx.dataDir, 'recovery.signal'), { force: true });
  // The forced parameters live on the postmaster's command line only. Without them the
  // end-of-recovery checkpoint would record server defaults in pg_control — e.g.
  // wal_log_hints=off, after which pg_rewind refuses this data directory.
  const options: Record<string, string> = { max_replication_slots: '20', ...(await ctx.commandLineParameters()) };
  delete options['listen_addresses'];
  const r = await runProgram(
    bins.path('postgres'),
    [
      '--single',
      '-D', ctx.dataDir,
      `--config-file=${join(ctx.configDir, 'postgresql.conf')}`,
      ...Object.entries(options).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      '-c', 'archive_mode=on',
      '-c', 'archive_command=false',
      'template1',
    ],
    { runAs: ctx.runAs, timeoutMs, stdin: '' },
  );
  if (r.code !== 0) return fail('command-failed', `single-user crash recovery failed: ${lastLine(r)}`);
  const after = await readControlData(bins, ctx.dataDir, ctx.runAs, 10_000);
  if (!after.ok) return after;
  if (!isCleanShutdown(after.value.clusterState)) {
    return fail('command-failed', `crash recovery left the cluster in state "${after.value.clusterState}"`);
  }
  return ok();
}
