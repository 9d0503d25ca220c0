import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { DivergenceVerdict, RewindSource } from '../rewind.js';
import { isBinaries } from './binaries.js';
import { withClient } from './connection.js';
import type { LocalContext } from './context.js';
import { readControlData } from './controldata.js';
import { replicationTarget } from './leader-connection.js';
import { formatLsn, parseLsn } from './lsn.js';
import { runProgram } from './run-program.js';
import { checkpointEndFromWaldump, waldumpArgs } from './divergence-waldump.js';
import { standbyTimeline } from './divergence-timeline.js';
import { join } from 'node:path';

interface HistoryEntry {
  readonly parentTimeline: number;
  readonly switchpoint: number;
}

/** Lines of a timeline history file: `<parent tli>\t<switchpoint>\t<reason>`. */
export function parseTimelineHistory(content: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of content.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !/^\d+$/.test(f[0] ?? '')) continue;
    const lsn = parseLsn(f[1]);
    if (lsn !== null) out.push({ parentTimeline: Number(f[0]), switchpoint: lsn });
  }
  return out;
}

/** Where the shutdown checkpoint at `lsn` ends (null: unknown), read with pg_waldump. */
async function checkpointEnd(ctx: LocalContext, timeline: number, lsn: number): Promise<number | null> {
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return null;
  const r = await runProgram(bins.path('pg_waldump'), waldumpArgs(join(ctx.dataDir, 'pg_wal'), timeline, lsn), {
    runAs: ctx.runAs,
    timeoutMs: 15_000,
  });
  return checkpointEndFromWaldump(r.stdout, r.stderr, lsn);
}

interface LocalPosition {
  readonly timeline: number;
  readonly lsn: number;
  /** The position is a primary's shutdown checkpoint (it may end exactly at the switch). */
  readonly wasPrimary: boolean;
}

/** Stopped, cleanly: timeline and position from the control file. */
async function stoppedPosition(ctx: LocalContext): Promise<PgResult<LocalPosition>> {
  const bins = await ctx.binaries();
  if (!isBinaries(bins)) return bins;
  const cd = await readControlData(bins, ctx.dataDir, ctx.runAs, 10_000);
  if (!cd.ok) return cd;
  const c = cd.value;
  if (c.clusterState === 'shut down in recovery' && c.minRecoveryLsn !== 0) {
    return ok({ timeline: c.minRecoveryTimeline, lsn: c.minRecoveryLsn, wasPrimary: false });
  }
  if (c.clusterState === 'shut down' || c.clusterState === 'shut down in recovery') {
    return ok({ timeline: c.checkpointTimeline, lsn: c.checkpointLsn, wasPrimary: true });
  }
  return fail('not-ready', `${ctx.dataDir} was not shut down cleanly ("${c.clusterState}"): run crash recovery first`);
}

/**
 * Running as a standby: the timeline it is on and the furthest WAL it received or
 * replayed. (A former primary restarted as a standby replays its own WAL, past the
 * switch if it forked.) The timeline is the WAL receiver's when there is one, else the
 * replay timeline (standbyTimeline). Never the last restartpoint's from
 * pg_control_checkpoint(): after a leader change that lags one timeline behind, and
 * every healthy replica would look diverged.
 */
async function runningPosition(ctx: LocalContext, timeoutMs: number): Promise<PgResult<LocalPosition>> {
  let row: { in_recovery: boolean; received_tli: number | null; checkpoint_tli: number; lsn: string | number } | undefined;
  try {
    row = await withClient(ctx.local, { connectTimeoutMs: Math.min(3000, timeoutMs) }, async (client) => {
      const r = await client.query<{ in_recovery: boolean; received_tli: number | null; checkpoint_tli: number; lsn: string | number }>(
        `SELECT pg_is_in_recovery() AS in_recovery,
                (SELECT nullif(received_tli, 0) FROM pg_stat_wal_receiver) AS received_tli,
                (SELECT timeline_id FROM pg_control_checkpoint()) AS checkpoint_tli,
                pg_wal_lsn_diff(coalesce(greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0'), '0/0')::float8 AS lsn`,
      );
      return r.rows[0];
    });
  } catch (e) {
    return fail('connection-failed', `cannot read the local position: ${(e as Error).message}`, e);
  }
  if (!row) return fail('query-failed', 'no answer to the position query');
  if (!row.in_recovery) return fail('wrong-role', 'a running primary does not check for divergence: it is the one others follow');
  const timeline = row.received_tli ?? (await standbyTimeline(ctx, timeoutMs));
  // Last resort only: an older timeline can only make a rewind look needed, never hide one.
  return ok({ timeline: Number(timeline ?? row.checkpoint_tli), lsn: Number(row.lsn), wasPrimary: false });
}

/**
 * Has our history left the leader's? (spec §3.9) Our timeline and position come from
 * the control file when Postgres is stopped, or from the running standby itself; the
 * leader's from IDENTIFY_SYSTEM and TIMELINE_HISTORY over a replication connection.
 */
export async function checkDivergence(
  ctx: LocalContext,
  leader: RewindSource,
  timeoutMs: number,
  running: boolean,
): Promise<PgResult<DivergenceVerdict>> {
  const local = running ? await runningPosition(ctx, timeoutMs) : await stoppedPosition(ctx);
  if (!local.ok) return local;
  const { timeline: localTli, lsn: localLsn, wasPrimary } = local.value;
  const target = replicationTarget(ctx, leader);
  if (!target) return fail('connection-failed', `leader ${leader.name} has no conn_url`);
  let leaderTli: number;
  let history = '';
  try {
    ({ leaderTli, history } = await withClient(target, { replication: true, connectTimeoutMs: Math.min(3000, timeoutMs) }, async (client) => {
      const id = await client.query<{ timeline: string }>('IDENTIFY_SYSTEM');
      const tli = Number(id.rows[0]?.timeline ?? 0);
      if (tli <= localTli) return { leaderTli: tli, history: '' };
      const h = await client.query<{ content: string | Buffer }>(`TIMELINE_HISTORY ${tli}`);
      const content = h.rows[0]?.content ?? '';
      return { leaderTli: tli, history: typeof content === 'string' ? content : content.toString('utf8') };
    }));
  } catch (e) {
    return fail('connection-failed', `replication connection to ${leader.name} failed: ${(e as Error).message}`, e);
  }
  if (localTli > leaderTli) return ok({ needed: true, reason: `our timeline ${localTli} is ahead of the leader's ${leaderTli}` });
  if (localTli === leaderTli) return ok({ needed: false, reason: `same timeline ${localTli}` });
  const entry = parseTimelineHistory(history).find((e) => e.parentTimeline === localTli);
  if (!entry) return ok({ needed: true, reason: `timeline ${localTli} is not in the leader's history` });
  const at = `our ${formatLsn(localLsn)} on timeline ${localTli}, leader switched at ${formatLsn(entry.switchpoint)}`;
  if (!wasPrimary) return ok({ needed: localLsn > entry.switchpoint, reason: at });
  if (localLsn >= entry.switchpoint) return ok({ needed: true, reason: at });
  // A cleanly stopped primary is in line only if its shutdown checkpoint ends exactly at the switch.
  const end = await checkpointEnd(ctx, localTli, localLsn);
  if (end === null) return ok({ needed: true, reason: `${at}; end of the shutdown checkpoint unknown` });
  return ok({ needed: end !== entry.switchpoint, reason: `${at}; shutdown checkpoint ends at ${formatLsn(end)}` });
}


