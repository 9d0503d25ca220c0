/**
 * The status document: the body of `GET /patroni`, `GET /` and every health GET, with
 * keys in Patroni's emission order (spec/api.md §1.2). Peers read it during leader
 * races (`xlog`, `role`, `tags`, `timeline`, `watchdog_failed`), so its shape is wire
 * format. A primary is written as `primary`; `master` in the state is translated.
 * pgwarden appends `pgwarden_fence` (docs/fencing.md) after Patroni's keys when the fence is on.
 */
import { normalizeRole } from '../dcs/cluster.js';
import type { NodeState, PostgresStatus, ScheduledRestart, TagValue } from './node-state.js';
import { pythonDatetimeStr } from './python-time.js';

export type StatusDocument = Readonly<Record<string, unknown>>;

/** Patroni reports the log queue only when it holds more than this many records. */
const NORMAL_LOG_QUEUE_SIZE = 2;

export function buildStatusDocument(state: NodeState): StatusDocument {
  const doc: Record<string, unknown> = {};
  const role = normalizeRole(state.role) ?? state.role;
  if (state.postgres) addPostgres(doc, state, role, state.postgres);
  else {
    doc['state'] = state.state;
    doc['role'] = role;
  }
  if (state.paused) doc['pause'] = true;
  if (state.clusterUnlocked || !state.clusterKnown) doc['cluster_unlocked'] = true;
  if (state.failsafeActive) doc['failsafe_mode_is_active'] = true;
  doc['dcs_last_seen'] = Math.trunc(state.dcsLastSeen);

  const tags = effectiveTags(state);
  if (Object.keys(tags).length > 0) doc['tags'] = tags;
  if (state.systemIdentifier) doc['database_system_identifier'] = state.systemIdentifier;
  const pending = Object.entries(state.pendingRestartReason);
  if (pending.length > 0) {
    doc['pending_restart'] = true;
    doc['pending_restart_reason'] = Object.fromEntries(
      pending.map(([param, change]) => [param, { old_value: change.old_value, new_value: change.new_value }]),
    );
  }
  doc['patroni'] = { version: state.version, scope: state.scope, name: state.name };
  if (state.scheduledRestart) doc['scheduled_restart'] = scheduledRestartJson(state.scheduledRestart);
  if (state.watchdogFailed) doc['watchdog_failed'] = true;
  if (state.loggerQueueSize > NORMAL_LOG_QUEUE_SIZE) {
    doc['logger_queue_size'] = state.loggerQueueSize;
    if (state.loggerRecordsLost) doc['logger_records_lost'] = state.loggerRecordsLost;
  }
  // pgwarden's own fields, after all of Patroni's: Patroni peers ignore unknown keys.
  if (state.pgwardenVersion) doc['pgwarden_version'] = state.pgwardenVersion;
  if (state.fence) {
    const { armed, deadline, fencedCount } = state.fence;
    doc['pgwarden_fence'] = {
      armed,
      deadline: deadline === null ? null : new Date(deadline * 1000).toISOString(),
      fenced_count: fencedCount,
    };
  }
  return doc;
}

function addPostgres(doc: Record<string, unknown>, state: NodeState, role: string, pg: PostgresStatus): void {
  doc['state'] = state.state;
  doc['postmaster_start_time'] = pg.postmasterStartTime === null ? null : pythonDatetimeStr(pg.postmasterStartTime);
  doc['role'] = role;
  doc['server_version'] = pg.serverVersion;
  doc['xlog'] =
    pg.xlog.kind === 'primary'
      ? { location: pg.xlog.location }
      : {
          received_location: pg.xlog.receivedLocation,
          replayed_location: pg.xlog.replayedLocation,
          replayed_timestamp: pg.xlog.replayedTimestamp === null ? null : pythonDatetimeStr(pg.xlog.replayedTimestamp),
          paused: pg.xlog.paused,
        };
  if (pg.syncStandby) doc['sync_standby'] = true;
  if (pg.quorumStandby) doc['quorum_standby'] = true;
  doc['timeline'] = pg.timeline;
  if (pg.replicationState) doc['replication_state'] = pg.replicationState;
  if (pg.replication.length > 0) doc['replication'] = pg.replication;
}

/** Configured tags plus `nosync: true` while synchronous replication is disabled at run time. */
export function effectiveTags(state: NodeState): Readonly<Record<string, TagValue>> {
  return state.dynamicNosync ? { ...state.tags, nosync: true } : state.tags;
}

function scheduledRestartJson(restart: ScheduledRestart): Record<string, unknown> {
  const out: Record<string, unknown> = { schedule: restart.schedule };
  if (restart.role !== undefined) out['role'] = restart.role;
  if (restart.postgresVersion !== undefined) out['postgres_version'] = restart.postgresVersion;
  if (restart.restartPending !== undefined) out['restart_pending'] = restart.restartPending;
  if (restart.timeout !== undefined) out['timeout'] = restart.timeout;
  return out;
}
