/**
 * How much CPU one per-cycle query costs the Postgres backend that serves it: the
 * backend's time on a CPU (`/proc/<pid>/schedstat`, in ns, proc-cpu.ts) before and after
 * N runs, divided by N. One session per query kind, so each backend's time is that query's alone.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { mainThreadCpuNs } from './proc-cpu.js';


export interface QueryRunner {
  readonly label: string;
  /** The backend that serves `runOnce`, known after the first run. */
  backendPid(): Promise<number>;
  runOnce(): Promise<void>;
}

/** Backend CPU per run, in µs, over `runs` back-to-back runs (after `warmup` runs that plan and cache). */
export async function backendMicrosPerRun(q: QueryRunner, runs: number, warmup = 20): Promise<number> {
  for (let i = 0; i < warmup; i++) await q.runOnce();
  const pid = await q.backendPid();
  const before = mainThreadCpuNs(pid);
  for (let i = 0; i < runs; i++) await q.runOnce();
  return (mainThreadCpuNs(pid) - before) / runs / 1000;
}

/**
 * Backend CPU per run, in µs, each runner running once every `gapMs`, in turn: as in an
 * idle HA cycle, every run finds the backend asleep with cold caches and flushes its
 * statistics (at most once a second), which costs several times a back-to-back run.
 */
export async function spacedMicrosPerRun(runners: readonly QueryRunner[], samples: number, gapMs: number): Promise<number[]> {
  for (const q of runners) for (let i = 0; i < 3; i++) await q.runOnce();
  const pids = await Promise.all(runners.map((q) => q.backendPid()));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(gapMs);
  const before = pids.map(mainThreadCpuNs);
  for (let i = 0; i < samples; i++) {
    for (const q of runners) {
      await q.runOnce();
      await sleep(gapMs / runners.length);
    }
  }
  return pids.map((pid, i) => (mainThreadCpuNs(pid) - before[i]!) / samples / 1000);
}

/** Puts a process (every thread) on one CPU; false when taskset is not there. */
export function pinToCpu(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Patroni 3.0.2's per-cycle query (`cluster_info_query` on PostgreSQL ≥ 11 without
 * synchronous mode and without permanent logical slots, the benchmark's setup), sent as
 * psycopg2 sends it: a simple-protocol Query message, parsed and planned every time.
 * Only a measuring baseline for the comparison.
 */
export const PATRONI_3_0_2_CYCLE_QUERY =
  "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0 ELSE ('x' || pg_catalog.substr(pg_catalog.pg_walfile_name(" +
  'pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int END, ' +
  "CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0 ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::bigint END, " +
  "pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_replay_lsn(), '0/0')::bigint, " +
  "pg_catalog.pg_wal_lsn_diff(COALESCE(pg_catalog.pg_last_wal_receive_lsn(), '0/0'), '0/0')::bigint, " +
  'pg_catalog.pg_is_in_recovery() AND pg_catalog.pg_is_wal_replay_paused(), ' +
  "0, CASE WHEN latest_end_lsn IS NULL THEN NULL ELSE received_tli END, slot_name, conninfo, NULL, 'on', '', NULL " +
  'FROM pg_catalog.pg_stat_get_wal_receiver()';

/** A plain session sending `text` over the simple protocol, as psycopg2 does. */
export async function simpleQueryRunner(label: string, config: pg.ClientConfig, text: string): Promise<QueryRunner & { close(): Promise<void> }> {
  const client = new pg.Client(config);
  await client.connect();
  const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  return {
    label,
    backendPid: async () => pid,
    runOnce: async () => {
      await client.query(text);
    },
    close: () => client.end(),
  };
}
