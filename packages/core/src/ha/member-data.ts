/**
 * The member key this node publishes at the end of each cycle (spec/ha.md §0, spec/dcs.md
 * §2.1). Role and state are what the controller reports at that moment, so a change made
 * by this cycle's actions shows at once; WAL position and timeline come from a fresh query
 * when an action touched Postgres, else from the cycle's own observation.
 */
import type { Member, MemberData } from '../dcs/cluster.js';
import { memberKeyRole } from './member-role.js';
import type { ControllerStatus, PostgresObservation } from '../postgres/observation.js';
import type { NodeTags } from './tags.js';
import type { HaMemory, NodeConfig, RunningTask } from './view.js';

/** Patroni's built-in boolean tags: published only when true (tags.py `_filter_tags`). */
const BUILTIN_BOOLEAN_TAGS = new Set(['clonefrom', 'nofailover', 'noloadbalance', 'nosync', 'nostream']);

/**
 * The configured tags as Patroni publishes them (member key, `/patroni`): every tag,
 * custom ones included, with their configured values, except built-in booleans that are
 * false. `nofailover` is kept even when false if `failover_priority` is also set (and
 * `nosync` with `sync_priority`, Patroni 4.1), so peers can see both sides of the conflict.
 */
export function publishedTags(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [tag, value] of Object.entries(raw)) {
    const shown =
      !BUILTIN_BOOLEAN_TAGS.has(tag) ||
      Boolean(value) ||
      (tag === 'nofailover' && Object.hasOwn(raw, 'failover_priority')) ||
      (tag === 'nosync' && Object.hasOwn(raw, 'sync_priority'));
    if (shown) out[tag] = value;
  }
  return out;
}

export function tagsForMemberKey(tags: NodeTags): Record<string, unknown> {
  if (tags.raw) return publishedTags(tags.raw);
  // Tags built in code (simulation, tests) carry no configured object: publish the parsed flags.
  const out: Record<string, unknown> = {};
  if (tags.clonefrom) out.clonefrom = true;
  if (tags.nofailover || tags.failoverPriority !== 1) out.nofailover = tags.nofailover;
  if (!tags.nofailover && tags.failoverPriority !== 1) out.failover_priority = tags.failoverPriority;
  if (tags.noloadbalance) out.noloadbalance = true;
  if (tags.nosync) out.nosync = true;
  if (tags.nostream) out.nostream = true;
  if (tags.replicatefrom) out.replicatefrom = tags.replicatefrom;
  return out;
}

export interface MemberDataInput {
  readonly node: NodeConfig;
  readonly status: ControllerStatus;
  readonly observation: PostgresObservation | null;
  readonly memory: HaMemory;
  readonly task: RunningTask | null;
  readonly paused: boolean;
  /** The cluster's members as last loaded (null: unknown): they decide how the primary role is named. */
  readonly members?: readonly Member[] | null;
}

const WAL_STATES = new Set(['running', 'restarting', 'starting']);

export function buildMemberData(input: MemberDataInput): MemberData {
  const { node, status, observation: obs, memory, task } = input;
  const data: Record<string, unknown> = {
    conn_url: node.connUrl,
    api_url: node.apiUrl,
    state: status.state,
    role: memberKeyRole(status.role, (input.members ?? null)?.filter((m) => m.name !== node.name) ?? null),
    version: node.version,
  };
  if (node.proxyUrl) data.proxy_url = node.proxyUrl;
  const checkpointPending = memory.checkpointAfterPromote === 'needed' || memory.checkpointAfterPromote === 'running';
  if (checkpointPending && (status.role === 'primary' || status.role === 'promoted')) data.checkpoint_after_promote = false;
  const tags = tagsForMemberKey(node.tags);
  if (Object.keys(tags).length) data.tags = tags;
  if (status.pendingRestart) {
    data.pending_restart = true;
    if (Object.keys(status.pendingRestartReason).length) data.pending_restart_reason = status.pendingRestartReason;
  }
  if (obs && WAL_STATES.has(status.state) && (!task || task.kind === 'promote')) {
    data.xlog_location = obs.walPosition;
    // Patroni 4.1 also publishes a standby's replay and receive positions (GET /cluster, list).
    if (obs.inRecovery && obs.replayLsn) data.replay_lsn = obs.replayLsn;
    if (obs.inRecovery && obs.receiveLsn) data.receive_lsn = obs.receiveLsn;
    if (obs.inRecovery) data.replication_state = obs.walReceiver?.status === 'streaming' ? 'streaming' : 'in archive recovery';
    if (obs.timeline > 0) data.timeline = obs.timeline;
  }
  if (input.paused) data.pause = true;
  // pgwarden's own field, after Patroni's: Patroni (3.0 on) ignores fields it does not know.
  // Always present, so peers can tell a pgwarden member from a Patroni one (member-role.ts).
  data.pgwarden_version = node.pgwardenVersion ?? 'unknown';
  return data as MemberData;
}
