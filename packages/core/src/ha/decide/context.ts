/**
 * Facts derived once per cycle from the view, so each situation file reads like the
 * spec ("we own the lock", "sync mode is active") instead of re-deriving them.
 */
import type { DynamicConfig } from '../../config/dynamic.js';
import { clusterTimeline, findMember, type Cluster, type Member } from '../../dcs/cluster.js';
import type { PgRole } from '../../postgres/types.js';
import type { UpstreamNode } from '../../postgres/upstream.js';
import type { Action } from '../actions.js';
import { readTags, type NodeTags } from '../tags.js';
import { standbyNodeToFollow } from './standby-cluster.js';
import type { HaMemory, HaView, LocalPostgres, NodeConfig } from '../view.js';

export interface Ctx {
  readonly view: HaView;
  readonly cluster: Cluster;
  readonly me: string;
  readonly node: NodeConfig;
  readonly config: DynamicConfig;
  readonly memory: HaMemory;
  readonly local: LocalPostgres;
  readonly now: number;
  readonly paused: boolean;
  /** The snapshot's leader key names us. */
  readonly ownsLock: boolean;
  readonly unlocked: boolean;
  /** Postgres runs writable (not in recovery). */
  readonly isPrimary: boolean;
  /** The controller's idea of the role (promoted while a promote is under way). */
  readonly role: PgRole;
  /** Our WAL position: flush LSN on a primary, max(received, replayed) on a replica. */
  readonly walPosition: number;
  readonly timeline: number;
  /** synchronous_mode is on (and this is not a standby cluster). */
  readonly syncMode: boolean;
  /** …and /sync names a leader. */
  readonly syncActive: boolean;
  /** synchronous_mode is `quorum` (and this is not a standby cluster): see quorum-rule.ts. */
  readonly quorumMode: boolean;
  /** …and /sync names a leader: its `quorum` and voters rule the leader race. */
  readonly quorumActive: boolean;
  readonly ttlMs: number;
  readonly loopWaitMs: number;
  /** Arm the lease guard (nothing in pause: operators own the cluster then). */
  readonly armGuard: readonly Action[];
}

export function makeContext(view: HaView, cluster: Cluster): Ctx {
  const obs = view.local.observation;
  const role = view.local.status.role;
  const isPrimary = view.local.running && (obs ? !obs.inRecovery : role === 'primary' || role === 'promoted');
  const syncMode = view.config.synchronousMode && view.config.standbyCluster === null;
  return {
    view,
    cluster,
    me: view.node.name,
    node: view.node,
    config: view.config,
    memory: view.memory,
    local: view.local,
    now: view.now,
    paused: view.config.pause,
    ownsLock: cluster.leader?.name === view.node.name,
    unlocked: !cluster.leader,
    isPrimary,
    role,
    walPosition: obs?.walPosition ?? 0,
    timeline: obs?.timeline ?? 0,
    syncMode,
    syncActive: syncMode && !!cluster.sync.leader,
    quorumMode: syncMode && view.config.quorumCommit,
    quorumActive: syncMode && view.config.quorumCommit && !!cluster.sync.leader,
    ttlMs: view.config.timing.ttl * 1000,
    loopWaitMs: view.config.timing.loopWait * 1000,
    // A standby leader never writes: nothing to fence once it runs read-only.
    armGuard: view.config.pause || (view.config.standbyCluster !== null && !isPrimary) ? [] : [{ type: 'armLeaseGuard' }],
  };
}

/** Patroni's `sync.matches(name, check_leader)`: case-insensitive. */
export function inSync(cluster: Cluster, name: string, includeLeader: boolean): boolean {
  const lower = name.toLowerCase();
  if (cluster.sync.syncStandbys.some((s) => s.toLowerCase() === lower)) return true;
  return includeLeader && cluster.sync.leader?.toLowerCase() === lower;
}

/**
 * Tags read from a member key, kept per tags object: decide reads every member's tags
 * several times a cycle, and a decoded cluster is frozen and reused while its keys do not
 * change. Only a frozen object is remembered, since only then can its answer not go stale.
 */
const tagsByRaw = new WeakMap<object, NodeTags>();

export function memberTags(member: Member): NodeTags {
  const raw = member.data.tags;
  if (typeof raw !== 'object' || raw === null || !Object.isFrozen(raw)) return readTags(raw);
  let tags = tagsByRaw.get(raw);
  if (tags === undefined) {
    tags = readTags(raw);
    tagsByRaw.set(raw, tags);
  }
  return tags;
}

export function cannotPromote(tags: NodeTags): boolean {
  return tags.nofailover;
}

export function upstreamOf(member: Member): UpstreamNode {
  return { name: member.name, connUrl: typeof member.data.conn_url === 'string' ? member.data.conn_url : null };
}

export function localTimelineBehind(ctx: Ctx): boolean {
  return ctx.timeline < clusterTimeline(ctx.cluster);
}

/**
 * Whom to stream from (§1.12 step 1): nobody with `nostream`; else the `replicatefrom`
 * member if it exists and is not us; else the leader; never ourselves.
 */
export function nodeToFollow(ctx: Ctx): UpstreamNode | null {
  return standbyNodeToFollow(ctx, memberToFollow(ctx));
}

function memberToFollow(ctx: Ctx): UpstreamNode | null {
  if (ctx.node.tags.nostream) return null;
  const from = ctx.node.tags.replicatefrom;
  let target: Member | undefined;
  if (from && from !== ctx.me) target = findMember(ctx.cluster, from) ?? undefined;
  if (!target && ctx.cluster.leader) target = ctx.cluster.leader.member;
  if (!target || target.name === ctx.me) return null;
  return upstreamOf(target);
}

/** Patroni's sysid check: ≥10 digits (tv_sec << 32 already has 10). */
export function sysidValid(sysid: string | null | undefined): sysid is string {
  return typeof sysid === 'string' && sysid.length >= 10 && /^\d+$/.test(sysid);
}

/** `switchover` when the request names the current leader, else `manual failover`. */
export function failoverActionName(cluster: Cluster): 'switchover' | 'manual failover' {
  return cluster.failover?.leader ? 'switchover' : 'manual failover';
}
