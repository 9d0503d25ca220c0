import type pg from 'pg';
import type { PostgresObservation, ReplicationRow, SlotInfo, WalReceiverInfo } from '../observation.js';

/**
 * One round trip per HA cycle for everything the engine reads (PG ≥ 10 functions),
 * the slot pass's view of the slots included. LSNs come back as byte offsets
 * (pg_wal_lsn_diff against 0/0).
 */
export const MONITORING_QUERY = `
SELECT
  pg_is_in_recovery() AS in_recovery,
  CASE WHEN pg_is_in_recovery() THEN 0
       ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
  CASE WHEN pg_is_in_recovery() THEN NULL
       ELSE pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::float8 END AS flush_lsn,
  pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::float8 AS receive_lsn,
  pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::float8 AS replay_lsn,
  CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS replay_paused,
  (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_timestamp,
  (SELECT row_to_json(w) FROM (
     SELECT status, slot_name, conninfo, sender_host, sender_port, received_tli
       FROM pg_stat_get_wal_receiver() WHERE status IS NOT NULL) w) AS wal_receiver,
  (SELECT coalesce(json_agg(r), '[]'::json) FROM (
     SELECT pid, application_name, state, sync_state,
            pg_wal_lsn_diff(sent_lsn, '0/0')::float8 AS sent, pg_wal_lsn_diff(write_lsn, '0/0')::float8 AS write,
            pg_wal_lsn_diff(flush_lsn, '0/0')::float8 AS flush, pg_wal_lsn_diff(replay_lsn, '0/0')::float8 AS replay
       FROM pg_stat_replication) r) AS replication,
  (SELECT coalesce(json_agg(s), '[]'::json) FROM (
     SELECT slot_name, slot_type, plugin, database, active,
            pg_wal_lsn_diff(restart_lsn, '0/0')::float8 AS restart,
            pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::float8 AS confirmed,
            to_jsonb(p) ->> 'wal_status' AS wal_status, -- PG 13+; null before
            temporary, xmin::text AS xmin
       FROM pg_replication_slots p) s) AS slots,
  current_setting('synchronous_standby_names') AS synchronous_standby_names,
  current_setting('synchronous_commit') AS synchronous_commit,
  (extract(epoch FROM pg_postmaster_start_time()) * 1000)::float8 AS postmaster_start,
  (SELECT timeline_id FROM pg_control_checkpoint()) AS checkpoint_timeline,
  current_setting('server_version_num')::int AS server_version
`;

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export async function runMonitoringQuery(client: pg.Client, observedAt: number): Promise<PostgresObservation> {
  // A named statement: parsed and planned once per session, not every cycle; planning
  // was most of what the call cost the backend.
  const res = await client.query<Row>({ name: 'pgwarden_monitor', text: MONITORING_QUERY });
  const row = res.rows[0] ?? {};
  const wr = row['wal_receiver'] as Row | null;
  const walReceiver: WalReceiverInfo | null = wr
    ? {
        status: String(wr['status']),
        slotName: str(wr['slot_name']),
        conninfo: str(wr['conninfo']),
        senderHost: str(wr['sender_host']),
        senderPort: num(wr['sender_port']),
        receivedTimeline: num(wr['received_tli']),
      }
    : null;
  const replication: ReplicationRow[] = ((row['replication'] as Row[] | null) ?? []).map((r) => ({
    pid: Number(r['pid']),
    applicationName: String(r['application_name'] ?? ''),
    state: String(r['state'] ?? ''),
    syncState: String(r['sync_state'] ?? ''),
    sentLsn: num(r['sent']),
    writeLsn: num(r['write']),
    flushLsn: num(r['flush']),
    replayLsn: num(r['replay']),
  }));
  const slots: SlotInfo[] = ((row['slots'] as Row[] | null) ?? []).map((s) => ({
    name: String(s['slot_name']),
    type: s['slot_type'] === 'logical' ? 'logical' : 'physical',
    plugin: str(s['plugin']),
    database: str(s['database']),
    active: Boolean(s['active']),
    restartLsn: num(s['restart']),
    confirmedFlushLsn: num(s['confirmed']),
    walStatus: str(s['wal_status']),
    temporary: Boolean(s['temporary']),
    xmin: str(s['xmin']),
  }));
  const inRecovery = Boolean(row['in_recovery']);
  const receiveLsn = num(row['receive_lsn']);
  const replayLsn = num(row['replay_lsn']);
  const checkpointTimeline = Number(row['checkpoint_timeline'] ?? 0);
  const timeline = inRecovery ? (walReceiver?.receivedTimeline ?? checkpointTimeline) : Number(row['timeline'] ?? 0);
  return {
    observedAt,
    inRecovery,
    timeline,
    walPosition: inRecovery ? Math.max(receiveLsn ?? 0, replayLsn ?? 0) : (num(row['flush_lsn']) ?? 0),
    receiveLsn,
    replayLsn,
    replayPaused: Boolean(row['replay_paused']),
    replayTimestampMs: num(row['replay_timestamp']),
    walReceiver,
    replication,
    slots,
    synchronousStandbyNames: String(row['synchronous_standby_names'] ?? ''),
    synchronousCommit: String(row['synchronous_commit'] ?? ''),
    postmasterStartedAt: Number(row['postmaster_start'] ?? 0),
    checkpointTimeline,
    serverVersion: Number(row['server_version'] ?? 0),
  };
}
