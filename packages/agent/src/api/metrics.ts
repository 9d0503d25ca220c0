/**
 * `GET /metrics`: Prometheus text with Patroni's metric names, order and types
 * (spec/api.md §1.5), every sample labelled `{scope="…",name="…"}`. Help texts are
 * pgwarden's own wording.
 *
 * Differences from Patroni, on purpose:
 * - Patroni prints `patroni_postgres_server_version {labels} N` with a stray space
 *   before the labels; pgwarden omits it so strict parsers accept the line.
 * - Label values are escaped (`\\`, `"`, newline) as the exposition format requires.
 * - An unknown timeline prints 0 (Patroni would print `None`).
 */
import { isPrimaryRole, pythonFloat, type NodeState } from '@pgwarden/core';
import type { LoopDelaySnapshot } from './loop-delay.js';
import { POSTGRES_STATE_VALUES_LINE, postgresStateValue } from './postgres-state-metric.js';

type Sample = {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly value: string;
  /** Labels after scope and name (`version="…"`). */
  readonly more?: Readonly<Record<string, string>>;
  /** A comment line printed between HELP and TYPE (Patroni's `# Values:` legend). */
  readonly note?: string;
};

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `3.3.1` → `030301`: each part zero-padded to two digits. */
export function paddedSemver(version: string): string {
  return version
    .split('.')
    .map((p) => p.padStart(2, '0'))
    .join('');
}

const flag = (b: boolean): string => (b ? '1' : '0');
const epochOrZero = (seconds: number | null | undefined): string => (seconds ? pythonFloat(seconds) : '0');

function samples(state: NodeState): Sample[] {
  const pg = state.postgres;
  const xlog = pg?.xlog;
  const replicaXlog = xlog?.kind === 'replica' ? xlog : null;
  const primary = isPrimaryRole(state.role);
  const serverVersion = pg?.serverVersion ?? 0;
  const leaderHelp = '1 when Postgres runs as a primary, else 0.';

  const out: Sample[] = [
    { name: 'patroni_version', help: 'Patroni protocol version, each part zero-padded to two digits.', type: 'gauge', value: paddedSemver(state.version) },
    { name: 'patroni_postgres_running', help: '1 when Postgres is in the running state, else 0.', type: 'gauge', value: flag(state.state === 'running') },
    { name: 'patroni_postmaster_start_time', help: 'Postmaster start time in epoch seconds, 0 when unknown.', type: 'gauge', value: epochOrZero(pg?.postmasterStartTime) },
    { name: 'patroni_master', help: leaderHelp, type: 'gauge', value: flag(primary) },
    { name: 'patroni_primary', help: leaderHelp, type: 'gauge', value: flag(primary) },
    {
      name: 'patroni_xlog_location',
      help: 'WAL flush position of a primary in bytes, 0 on other nodes.',
      type: 'counter',
      value: String(xlog?.kind === 'primary' ? xlog.location : 0),
    },
    { name: 'patroni_standby_leader', help: '1 when this node leads a standby cluster, else 0.', type: 'gauge', value: flag(state.role === 'standby_leader') },
    { name: 'patroni_replica', help: '1 when Postgres runs as a replica, else 0.', type: 'gauge', value: flag(state.role === 'replica') },
    { name: 'patroni_sync_standby', help: '1 when this replica is a synchronous standby, else 0.', type: 'gauge', value: flag(pg?.syncStandby === true) },
    // Patroni 4's metric, only in quorum mode: Patroni 3.3.1's list stays as it was otherwise.
    ...(state.quorumCommit ? [{ name: 'patroni_quorum_standby', help: '1 when this replica is a quorum standby (synchronous_mode: quorum), else 0.', type: 'gauge' as const, value: flag(pg?.quorumStandby === true) }] : []),
    {
      name: 'patroni_xlog_received_location',
      help: 'WAL position a replica has received, in bytes; 0 on other nodes.',
      type: 'counter',
      value: String(replicaXlog?.receivedLocation ?? 0),
    },
    {
      name: 'patroni_xlog_replayed_location',
      help: 'WAL position a replica has replayed, in bytes; 0 on other nodes.',
      type: 'counter',
      value: String(replicaXlog?.replayedLocation ?? 0),
    },
    {
      name: 'patroni_xlog_replayed_timestamp',
      help: 'Commit time of the last replayed transaction in epoch seconds, 0 when unknown.',
      type: 'gauge',
      value: epochOrZero(replicaXlog?.replayedTimestamp),
    },
    { name: 'patroni_xlog_paused', help: '1 when WAL replay is paused, else 0.', type: 'gauge', value: flag(replicaXlog?.paused === true) },
  ];
  // Only Postgres 9.6+ reports the WAL receiver, so these vanish while Postgres is down.
  if (serverVersion >= 90600) {
    out.push(
      { name: 'patroni_postgres_streaming', help: '1 when the WAL receiver is streaming, else 0.', type: 'gauge', value: flag(pg?.replicationState === 'streaming') },
      {
        name: 'patroni_postgres_in_archive_recovery',
        help: '1 when recovering from the WAL archive, else 0.',
        type: 'gauge',
        value: flag(pg?.replicationState === 'in archive recovery'),
      },
    );
  }
  out.push(
    { name: 'patroni_postgres_server_version', help: 'Postgres server_version_num while it runs, else 0.', type: 'gauge', value: String(serverVersion) },
    {
      name: 'patroni_cluster_unlocked',
      help: '1 when no node holds the leader key, else 0.',
      type: 'gauge',
      value: flag(state.clusterUnlocked || !state.clusterKnown),
    },
    { name: 'patroni_failsafe_mode_is_active', help: '1 while failsafe mode keeps the primary running without the DCS, else 0.', type: 'gauge', value: flag(state.failsafeActive) },
    { name: 'patroni_postgres_timeline', help: 'Current Postgres timeline, 0 when unknown.', type: 'counter', value: String(pg?.timeline ?? 0) },
    {
      name: 'patroni_dcs_last_seen',
      help: 'Epoch seconds of the last successful DCS request.',
      type: 'gauge',
      value: String(Math.trunc(state.dcsLastSeen)),
    },
    {
      name: 'patroni_pending_restart',
      help: '1 when a changed parameter needs a Postgres restart, else 0.',
      type: 'gauge',
      value: flag(Object.keys(state.pendingRestartReason).length > 0),
    },
    { name: 'patroni_is_paused', help: '1 in maintenance mode (automatic failover off), else 0.', type: 'gauge', value: flag(state.paused) },
    // Patroni 4.1: the state as a number; the legend names each value.
    {
      name: 'patroni_postgres_state',
      help: 'Numeric representation of Postgres state.',
      note: POSTGRES_STATE_VALUES_LINE,
      type: 'gauge',
      value: String(postgresStateValue(state.state)),
    },
  );
  // pgwarden's own metrics, after Patroni's.
  if (state.pgwardenVersion) {
    out.push({ name: 'pgwarden_version_info', help: "pgwarden's own release, in the version label (patroni_version is the Patroni protocol it speaks).", type: 'gauge', value: '1', more: { version: state.pgwardenVersion } });
  }
  out.push({
    name: 'pgwarden_ha_loop_errors_total',
    help: 'HA loop cycles that ended in an unexpected error since the agent started (each logged; the loop went on).',
    type: 'counter',
    value: String(state.haLoopErrors ?? 0),
  });
  // The fence's (docs/fencing.md); absent while the fence is off.
  const fence = state.fence;
  if (fence) {
    out.push(
      { name: 'pgwarden_fence_armed', help: '1 while the fence guard is armed to stop this primary, else 0.', type: 'gauge', value: flag(fence.armed) },
      {
        name: 'pgwarden_fence_deadline_seconds',
        help: 'When the armed fence guard stops Postgres unless renewed, in epoch seconds; 0 when not armed.',
        type: 'gauge',
        value: fence.armed ? epochOrZero(fence.deadline) : '0',
      },
      { name: 'pgwarden_fence_actions_total', help: 'Times the fence guard stopped Postgres since the agent started.', type: 'counter', value: String(fence.fencedCount) },
    );
  }
  return out;
}

/** Seconds as Prometheus reads them; NaN before the first sample. */
const seconds = (v: number): string => (Number.isFinite(v) ? String(v) : 'NaN');

export function renderMetrics(state: NodeState, loopDelay?: LoopDelaySnapshot): string {
  const labels = `{scope="${escapeLabel(state.scope)}",name="${escapeLabel(state.name)}"}`;
  const lines: string[] = [];
  for (const s of samples(state)) {
    const all = s.more ? `${labels.slice(0, -1)}${Object.entries(s.more).map(([k, v]) => `,${k}="${escapeLabel(v)}"`).join('')}}` : labels;
    lines.push(`# HELP ${s.name} ${s.help}`, ...(s.note ? [s.note] : []), `# TYPE ${s.name} ${s.type}`, `${s.name}${all} ${s.value}`);
  }
  if (loopDelay) {
    // A summary of three quantiles: the median, the 99th percentile and the maximum (quantile 1).
    const name = 'pgwarden_event_loop_delay_seconds';
    const inner = labels.slice(1, -1);
    lines.push(
      `# HELP ${name} How late the agent's event loop ran over the last ${Math.round(loopDelay.windowSeconds)} s (health checks wait this long on top of their own work).`,
      `# TYPE ${name} summary`,
      `${name}{${inner},quantile="0.5"} ${seconds(loopDelay.p50)}`,
      `${name}{${inner},quantile="0.99"} ${seconds(loopDelay.p99)}`,
      `${name}{${inner},quantile="1"} ${seconds(loopDelay.max)}`,
    );
  }
  return lines.join('\n') + '\n';
}
