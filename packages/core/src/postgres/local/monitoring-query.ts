import type pg from 'pg';
import type { PostgresObservation } from '../observation.js';
import { NODE_ROW, observationFromRows, SENDER_ROW, SLOT_ROW, type MonitoringRow } from './monitoring-rows.js';
import { sessionFacts } from './monitoring-session.js';

/**
 * The one query each HA cycle sends for everything the engine reads (PG 11 and later), the slot
 * pass's view of the slots included. It runs every few seconds for the life of the agent,
 * so it is built to cost the server as little as the same answer can:
 * - a named statement, parsed and planned once per session;
 * - one row for the node, one per WAL sender, one per slot (UNION ALL), no JSON to build;
 * - the functions under the statistics views (pg_stat_get_wal_senders,
 *   pg_get_replication_slots), not the views, which join every backend and catalogs;
 * - LSNs as pg_lsn, converted here, not through numeric;
 * - the control file (pg_control_checkpoint reads it from disk) read on a replica, and on
 *   a primary until its last checkpoint is on its own timeline: from then on it stays so
 *   while the primary runs, and the session switches to a second statement that reads it
 *   only in recovery. No parameters: a statement with one is planned anew for each of its
 *   first five executions before Postgres settles on a generic plan;
 * - facts fixed for a session's life (server version, postmaster start) read once per
 *   session (monitoring-session.ts).
 */
export const MONITORING_STATEMENT = 'pgwarden_monitor';
/** The same, for a primary whose last checkpoint the session saw on its timeline. */
export const MONITORING_STATEMENT_PRIMARY = 'pgwarden_monitor_primary';

/** When the statement reads the control file's checkpoint timeline. */
type CheckpointRead = 'always' | 'in-recovery';

/** The result's columns, each typed, shared by the three kinds of row (NULL where a kind has none). */
const COLUMNS = {
  kind: 'int',
  in_recovery: 'bool',
  timeline_hex: 'text',
  flush_lsn: 'pg_lsn',
  receive_lsn: 'pg_lsn',
  replay_lsn: 'pg_lsn',
  replay_paused: 'bool',
  replay_timestamp: 'float8',
  receiver_status: 'text',
  receiver_slot: 'text',
  receiver_conninfo: 'text',
  sender_host: 'text',
  sender_port: 'int',
  received_tli: 'int',
  synchronous_standby_names: 'text',
  synchronous_commit: 'text',
  checkpoint_timeline: 'int',
  pid: 'int',
  application_name: 'text',
  state: 'text',
  sync_state: 'text',
  sent_lsn: 'pg_lsn',
  write_lsn: 'pg_lsn',
  sender_flush_lsn: 'pg_lsn',
  sender_replay_lsn: 'pg_lsn',
  slot_name: 'name',
  slot_type: 'text',
  plugin: 'name',
  database: 'name',
  active: 'bool',
  restart_lsn: 'pg_lsn',
  confirmed_flush_lsn: 'pg_lsn',
  wal_status: 'text',
  temporary: 'bool',
  xmin: 'xid',
} as const;

type Column = keyof typeof COLUMNS;
type Branch = { readonly select: Partial<Record<Column, string>>; readonly from: string };

function branches(serverVersion: number, checkpoint: CheckpointRead): Branch[] {
  return [
    {
      select: {
        kind: String(NODE_ROW),
        in_recovery: 'pg_is_in_recovery()',
        timeline_hex: 'CASE WHEN pg_is_in_recovery() THEN NULL ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END',
        flush_lsn: 'CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_flush_lsn() END',
        receive_lsn: 'pg_last_wal_receive_lsn()',
        replay_lsn: 'pg_last_wal_replay_lsn()',
        replay_paused: 'CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END',
        // Exact milliseconds (numeric, then float8); null on a node that replayed nothing.
        replay_timestamp: '(extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8',
        receiver_status: 'w.status',
        receiver_slot: 'w.slot_name',
        receiver_conninfo: 'w.conninfo',
        sender_host: 'w.sender_host',
        sender_port: 'w.sender_port',
        received_tli: 'w.received_tli',
        synchronous_standby_names: "current_setting('synchronous_standby_names')",
        synchronous_commit: "current_setting('synchronous_commit')",
        checkpoint_timeline:
          checkpoint === 'always'
            ? '(SELECT timeline_id FROM pg_control_checkpoint())'
            : 'CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint()) END',
      },
      // One row always: all NULL when no WAL receiver runs.
      from: 'pg_stat_get_wal_receiver() w',
    },
    {
      // pg_stat_replication without its join of every backend: the sender's own row only.
      select: {
        kind: String(SENDER_ROW),
        pid: 's.pid',
        application_name: 'a.application_name',
        state: 's.state',
        sync_state: 's.sync_state',
        sent_lsn: 's.sent_lsn',
        write_lsn: 's.write_lsn',
        sender_flush_lsn: 's.flush_lsn',
        sender_replay_lsn: 's.replay_lsn',
      },
      from: 'pg_stat_get_wal_senders() s, pg_stat_get_activity(s.pid) a',
    },
    {
      // pg_replication_slots without its join of pg_database: looked up for logical slots only.
      select: {
        kind: String(SLOT_ROW),
        slot_name: 'slot_name',
        slot_type: 'slot_type',
        plugin: 'plugin',
        database: 'CASE WHEN datoid IS NULL THEN NULL ELSE (SELECT datname FROM pg_database WHERE oid = datoid) END',
        active: 'active',
        restart_lsn: 'restart_lsn',
        confirmed_flush_lsn: 'confirmed_flush_lsn',
        wal_status: serverVersion >= 130000 ? 'wal_status' : 'NULL',
        temporary: 'temporary',
        xmin: 'xmin',
      },
      from: 'pg_get_replication_slots()',
    },
  ];
}

const texts = new Map<string, string>();

/** The statement's text for a server version (wal_status exists from PostgreSQL 13 on). */
export function monitoringQueryText(serverVersion: number, checkpoint: CheckpointRead): string {
  const key = `${serverVersion}/${checkpoint}`;
  const known = texts.get(key);
  if (known !== undefined) return known;
  const columns = Object.keys(COLUMNS) as Column[];
  const text = branches(serverVersion, checkpoint)
    .map((b, i) => {
      // The first branch names and types every column; UNION ALL takes them from it.
      const items = columns.map((c) => (i === 0 ? `${b.select[c] ?? `NULL::${COLUMNS[c]}`} AS ${c}` : (b.select[c] ?? 'NULL')));
      return `SELECT ${items.join(', ')}\n  FROM ${b.from}`;
    })
    .join('\nUNION ALL\n');
  texts.set(key, text);
  return text;
}

export async function runMonitoringQuery(client: pg.Client, observedAt: number): Promise<PostgresObservation> {
  const facts = await sessionFacts(client);
  const settled = facts.checkpointOnTimeline;
  const res = await client.query<MonitoringRow>({
    name: settled ? MONITORING_STATEMENT_PRIMARY : MONITORING_STATEMENT,
    text: monitoringQueryText(facts.serverVersion, settled ? 'in-recovery' : 'always'),
  });
  const observation = observationFromRows(res.rows, facts, observedAt);
  // A primary's timeline does not change while it runs: once its last checkpoint is on
  // it, every later one is too, and the control file need not be read again.
  if (!observation.inRecovery && observation.checkpointTimeline === observation.timeline) facts.checkpointOnTimeline = true;
  return observation;
}
