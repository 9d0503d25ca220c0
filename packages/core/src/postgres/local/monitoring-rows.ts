import type { PostgresObservation, ReplicationRow, SlotInfo, WalReceiverInfo } from '../observation.js';
import { parseLsn } from './lsn.js';
import type { SessionFacts } from './monitoring-session.js';

/** One row of the monitoring query's answer as node-postgres parses it (monitoring-query.ts). */
export type MonitoringRow = Readonly<Record<string, unknown>>;

/** Row kinds (the `kind` column). */
export const NODE_ROW = 0;
export const SENDER_ROW = 1;
export const SLOT_ROW = 2;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** pg_lsn text to a byte offset, rounded to a double as pg_wal_lsn_diff(...)::float8 would. */
const lsn = (v: unknown): number | null => parseLsn(str(v));

function walReceiver(row: MonitoringRow): WalReceiverInfo | null {
  if (row['receiver_status'] === null || row['receiver_status'] === undefined) return null;
  return {
    status: String(row['receiver_status']),
    slotName: str(row['receiver_slot']),
    conninfo: str(row['receiver_conninfo']),
    senderHost: str(row['sender_host']),
    senderPort: num(row['sender_port']),
    receivedTimeline: num(row['received_tli']),
  };
}

function sender(row: MonitoringRow): ReplicationRow {
  return {
    pid: Number(row['pid']),
    applicationName: String(row['application_name'] ?? ''),
    state: String(row['state'] ?? ''),
    syncState: String(row['sync_state'] ?? ''),
    sentLsn: lsn(row['sent_lsn']),
    writeLsn: lsn(row['write_lsn']),
    flushLsn: lsn(row['sender_flush_lsn']),
    replayLsn: lsn(row['sender_replay_lsn']),
  };
}

function slot(row: MonitoringRow): SlotInfo {
  return {
    name: String(row['slot_name']),
    type: row['slot_type'] === 'logical' ? 'logical' : 'physical',
    plugin: str(row['plugin']),
    database: str(row['database']),
    active: Boolean(row['active']),
    restartLsn: lsn(row['restart_lsn']),
    confirmedFlushLsn: lsn(row['confirmed_flush_lsn']),
    walStatus: str(row['wal_status']),
    temporary: Boolean(row['temporary']),
    xmin: str(row['xmin']),
  };
}

/** The observation from the answer's rows: one for the node, one per WAL sender, one per slot. */
export function observationFromRows(rows: readonly MonitoringRow[], facts: SessionFacts, observedAt: number): PostgresObservation {
  const node = rows.find((r) => r['kind'] === NODE_ROW);
  if (!node) throw new Error('the monitoring query returned no row for the node');
  const receiver = walReceiver(node);
  const inRecovery = Boolean(node['in_recovery']);
  const receiveLsn = lsn(node['receive_lsn']);
  const replayLsn = lsn(node['replay_lsn']);
  // The timeline as a signed 32-bit number, as ('x' || hex)::bit(32)::int gives it.
  const ownTimeline = inRecovery ? 0 : Number.parseInt(String(node['timeline_hex']), 16) | 0;
  // Not read on a primary whose last checkpoint the session already saw on its timeline.
  const checkpointTimeline = num(node['checkpoint_timeline']) ?? ownTimeline;
  const timeline = inRecovery ? (receiver?.receivedTimeline ?? checkpointTimeline) : ownTimeline;
  return {
    observedAt,
    inRecovery,
    timeline,
    walPosition: inRecovery ? Math.max(receiveLsn ?? 0, replayLsn ?? 0) : (lsn(node['flush_lsn']) ?? 0),
    receiveLsn,
    replayLsn,
    replayPaused: Boolean(node['replay_paused']),
    replayTimestampMs: num(node['replay_timestamp']),
    walReceiver: receiver,
    replication: rows.filter((r) => r['kind'] === SENDER_ROW).map(sender),
    slots: rows.filter((r) => r['kind'] === SLOT_ROW).map(slot),
    synchronousStandbyNames: String(node['synchronous_standby_names'] ?? ''),
    synchronousCommit: String(node['synchronous_commit'] ?? ''),
    postmasterStartedAt: facts.postmasterStartedAt,
    checkpointTimeline,
    serverVersion: facts.serverVersion,
  };
}
