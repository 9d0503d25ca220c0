import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { RewindSource } from '../rewind.js';
import { isBinaries } from './binaries.js';
import { checkClientFiles } from './client-files.js';
import { publicClientSettings } from './client-settings.js';
import { buildConninfo } from './conninfo.js';
import { withClient } from './connection.js';
import type { LocalContext } from './context.js';
import { remaining } from './context.js';
import { readControlData } from './controldata.js';
import { isCleanShutdown, runCrashRecovery } from './crash-recovery.js';
import { rewindRole, rewindTarget, rewindUserIsSuperuser } from './leader-connection.js';
import { pgpassRoles, writePgpass } from './pgpass.js';
import { lastLine, runProgram } from './run-program.js';
import { secretSettings } from './service-file.js';

/**
 * The leader must be a primary that has checkpointed since its promotion, or pg_rewind
 * reads a stale timeline from its control file. When the rewind user is a superuser we
 * checkpoint it ourselves; otherwise we report `not-ready` and the engine retries.
 */
export async function checkRewindSource(ctx: LocalContext, leader: RewindSource, timeoutMs: number): Promise<PgResult> {
  const target = rewindTarget(ctx, leader);
  if (!target) return fail('connection-failed', `rewind source ${leader.name} has no conn_url`);
  // Before anything local is touched: pg_rewind reads these files as the Postgres user.
  const files = await checkClientFiles(rewindRole(ctx), ctx.runAs);
  if (!files.ok) return files;
  try {
    return await withClient(target, { connectTimeoutMs: Math.min(3000, timeoutMs), statementTimeoutMs: 0 }, async (c) => {
      const r = await c.query<{ rec: boolean; cur: number; ckpt: number }>(
        `SELECT pg_is_in_recovery() AS rec,
                CASE WHEN pg_is_in_recovery() THEN 0
                     ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS cur,
                (SELECT timeline_id FROM pg_control_checkpoint()) AS ckpt`,
      );
      const row = r.rows[0];
      if (!row || row.rec) return fail('wrong-role', `rewind source ${leader.name} is in recovery: pg_rewind needs a primary`);
      if (leader.checkpointedAfterPromote === false || row.cur !== row.ckpt) {
        if (!rewindUserIsSuperuser(ctx)) return fail('not-ready', `Waiting for checkpoint on ${leader.name} before rewind`);
        await c.query('CHECKPOINT');
      }
      return ok();
    });
  } catch (e) {
    return fail('connection-failed', `cannot connect to rewind source ${leader.name}: ${(e as Error).message}`, e);
  }
}

/** Runs pg_rewind against the leader; Postgres must be stopped. */
export async function runPgRewind(ctx: LocalContext, leader: RewindSource, timeoutMs: number): Promise<PgResult> {
  const deadline = ctx.clock.now() + timeoutMs;
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return bins;
  const target = rewindTarget(ctx, leader);
  if (!target) return fail('connection-failed', `rewind source ${leader.name} has no conn_url`);
  // The rewind user's (else the superuser's) libpq settings, as Patroni's rewind_credentials.
  const role = rewindRole(ctx);
  let secret: Awaited<ReturnType<typeof secretSettings>>;
  try {
    secret = await secretSettings(role, `${ctx.pgpassPath}.rewind.service`, ctx.runAs);
  } catch (e) {
    return fail('invalid-config', (e as Error).message, e);
  }
  const cd = await readControlData(bins, ctx.dataDir, ctx.runAs, 10_000);
  if (!cd.ok) return cd;
  if (!isCleanShutdown(cd.value.clusterState)) {
    const cr = await runCrashRecovery(ctx, remaining(ctx.clock, deadline));
    if (!cr.ok) return cr;
  }
  const dsn = buildConninfo({
    host: target.host,
    port: target.port,
    user: target.user,
    dbname: target.database,
    ...publicClientSettings(role.creds),
    ...secret.fields,
    target_session_attrs: 'read-write',
  });
  // pg_rewind reads the rewind role's password from the pgpass file, which another agent
  // (Patroni, before a migration) may have left holding the replication role only.
  try {
    await writePgpass(ctx.pgpassPath, pgpassRoles(ctx.config.authentication), ctx.runAs);
  } catch (e) {
    return fail('invalid-config', `cannot write the pgpass file ${ctx.pgpassPath} (postgresql.pgpass): ${(e as Error).message}`, e);
  }
  const r = await runProgram(bins.path('pg_rewind'), ['-D', ctx.dataDir, `--source-server=${dsn}`], {
    runAs: ctx.runAs,
    timeoutMs: remaining(ctx.clock, deadline),
    env: { PGPASSFILE: ctx.pgpassPath, PGOPTIONS: '-c statement_timeout=0', ...secret.env },
  });
  if (r.code !== 0) return fail('command-failed', `pg_rewind from ${leader.name} failed: ${lastLine(r)}`);
  return ok();
}
