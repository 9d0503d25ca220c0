/**
 * Following (§1.12): a node that does not own the lock streams from the leader (or its
 * `replicatefrom` member). A writable Postgres without the lock is demoted at once
 * (immediate-nolock), except in pause. Diverged timelines are checked against the leader
 * and repaired with pg_rewind or a re-clone when allowed.
 */
import type { RewindSource } from '../../postgres/rewind.js';
import type { UpstreamNode } from '../../postgres/upstream.js';
import { decision, type Action, type Decision } from '../actions.js';
import type { ReasonCode } from '../reasons.js';
import { nodeToFollow, type Ctx } from './context.js';
import { demoteActions, triggerRewindCheck } from './demotion.js';
import { demoteClusterActions, followRole, isStandbyCluster, remoteRewindSource } from './standby-cluster.js';

export interface FollowMessages {
  readonly demote: { readonly reason: ReasonCode; readonly message: string };
  readonly follow: { readonly reason: ReasonCode; readonly message: string };
}

export function follow(ctx: Ctx, msgs: FollowMessages): Decision {
  const target = nodeToFollow(ctx);
  if (ctx.paused) {
    // In pause Postgres is never stopped or restarted automatically.
    if (ctx.isPrimary) return decision('paused-primary-without-lock', 'continue to run as primary without lock');
    if (!target) return decision('paused-no-action', `no action. I am (${ctx.me})`);
  } else if (ctx.isPrimary) {
    // In a standby cluster: demote-cluster (a fast stop; the lock holder keeps the lock).
    const demote = isStandbyCluster(ctx) ? demoteClusterActions(ctx, target) : demoteActions(ctx, 'immediate-nolock');
    return decision(msgs.demote.reason, msgs.demote.message, demote);
  }
  const role = followRole(ctx, target);
  if (isStandbyCluster(ctx) && role === 'replica' && !target?.connUrl) {
    // The lock names a member we cannot reach by conn_url: keep the recovery settings we have.
    return decision('standby-old-leader-kept', 'continue following the old known standby leader');
  }
  const leaf = decision(msgs.follow.reason, msgs.follow.message, followActions(ctx, target, role));
  const starting = ctx.local.status.state === 'starting';
  const rewind = starting ? null : rewindOrReinitialize(withStuckReplicaCheck(ctx, target), () => leaf);
  return rewind ?? leaf;
}

/**
 * pgwarden addition (Patroni only checks on demotion and restart): a running replica that
 * already follows the leader, does not stream, and replays another timeline than the one
 * the leader runs on may hold WAL the new leader never had (an async replica ahead of the
 * sync standby that won). Its walreceiver would refuse forever, so arm the divergence
 * check; a verdict of "not needed" leaves it to the walreceiver, which then can stream.
 * Not in pause: a rewind stops Postgres.
 */
export function stuckOnAnotherTimeline(ctx: Ctx, target: UpstreamNode | null): boolean {
  const leader = ctx.cluster.leader;
  const obs = ctx.local.observation;
  if (ctx.paused || !leader || !target || target.name !== leader.name || !obs || !obs.inRecovery) return false;
  if (ctx.memory.following?.upstream !== leader.name) return false;
  if (obs.walReceiver?.status === 'streaming') return false;
  const leaderTimeline = leader.member.data.timeline;
  return typeof leaderTimeline === 'number' && obs.timeline > 0 && leaderTimeline !== obs.timeline;
}

function withStuckReplicaCheck(ctx: Ctx, target: UpstreamNode | null): Ctx {
  const state = ctx.memory.rewind;
  if (state !== 'initial' && state !== 'not-need' && state !== 'success') return ctx;
  if (!stuckOnAnotherTimeline(ctx, target)) return ctx;
  return { ...ctx, memory: { ...ctx.memory, rewind: triggerRewindCheck(ctx) } };
}

/** Point Postgres at `target`. With no target and no lock anywhere, leave it as it is. */
export function followActions(ctx: Ctx, target: UpstreamNode | null, role: 'replica' | 'standby_leader' = 'replica'): Action[] {
  // pgwarden differs from Patroni here: Patroni rewrites primary_conninfo to nothing while the
  // cluster is unlocked; we keep streaming from whatever we had until a new leader appears.
  if (!target && !ctx.node.tags.nostream && ctx.unlocked) return [];
  return [{ type: 'follow', upstream: target, role }];
}


export function rewindSource(ctx: Ctx): RewindSource | null {
  // The standby leader (or a node of an unlocked standby cluster) compares with the remote primary.
  const remote = remoteRewindSource(ctx);
  if (remote !== undefined) return remote;
  const leader = ctx.cluster.leader;
  if (!leader || leader.name === ctx.me) return null;
  const data = leader.member.data;
  const connUrl = typeof data.conn_url === 'string' ? data.conn_url : null;
  if (!connUrl) return null;
  const role = data.role === 'master' || data.role === 'primary';
  if (!role) return null;
  return { name: leader.name, connUrl, checkpointedAfterPromote: data.checkpoint_after_promote !== false };
}

/**
 * The rewind/re-clone handler: runs the divergence check when asked to (state CHECK),
 * and acts on a NEED. `otherwise` builds the decision when nothing needs doing, `unknown`
 * the one when the check cannot tell (by default the same).
 */
export function rewindOrReinitialize(ctx: Ctx, otherwise: () => Decision, unknown: () => Decision = otherwise): Decision | null {
  const state = ctx.memory.rewind;
  if (state !== 'check' && state !== 'need') return null;
  const leader = rewindSource(ctx);
  if (!leader) return null;
  const act = needed(ctx, leader, otherwise);
  if (state === 'need') return act;
  return decision(otherwise().reason, otherwise().message, [
    {
      type: 'checkDivergence',
      leader,
      onNeeded: act,
      onNotNeeded: prependRemember(otherwise(), { rewind: 'not-need' }),
      onUnknown: unknown(),
    },
  ]);
}

function needed(ctx: Ctx, leader: RewindSource, otherwise: () => Decision): Decision {
  if (ctx.config.usePgRewind) {
    const control = ctx.local.controlData;
    // An unclean replica must finish crash recovery before pg_rewind can read it.
    if (!ctx.local.running && control?.clusterState === 'in archive recovery' && ctx.memory.crashRecoveryStartedAt === null) {
      return decision('crash-recovery', 'doing crash recovery in a single user mode', [
        { type: 'remember', patch: { rewind: 'need', crashRecoveryStartedAt: ctx.now } },
        { type: 'crashRecovery' },
      ]);
    }
    if (!leader.checkpointedAfterPromote) {
      // pg_rewind reads the source's control file: before its post-promote checkpoint that
      // still shows the old timeline. Wait for the member key to say it ran (Patroni does),
      // rather than launch a rewind that fails at once and is retried in a tight loop.
      return decision('rewind-waiting-checkpoint', `waiting for checkpoint on ${leader.name} before rewind`, [
        { type: 'remember', patch: { rewind: 'need' } },
      ]);
    }
    return decision('rewind', `running pg_rewind from ${leader.name}`, [
      { type: 'remember', patch: { rewind: 'need' } },
      { type: 'rewind', leader, task: `running pg_rewind from ${leader.name}` },
    ]);
  }
  if (ctx.node.removeDataDirectoryOnDivergedTimelines && ctx.config.standbyCluster === null) {
    return decision('reinitialize', 'reinitializing due to diverged timelines', [
      { type: 'remember', patch: { rewind: 'initial' } },
      { type: 'reinitialize', source: leader, task: 'reinitializing due to diverged timelines' },
    ]);
  }
  // Neither is allowed: leave the node as it is (it will probably fail to stream), as Patroni does.
  return prependRemember(otherwise(), { rewind: 'need' });
}

function prependRemember(d: Decision, patch: Partial<Ctx['memory']>): Decision {
  return { ...d, actions: [{ type: 'remember', patch }, ...d.actions] };
}

/** We do not own the lock and someone else does (§1.11, second half). */
export function decideFollower(ctx: Ctx): Decision {
  const leader = ctx.cluster.leader?.name ?? '';
  if (isStandbyCluster(ctx)) {
    return follow(ctx, {
      demote: { reason: 'standby-cluster-demote', message: 'cannot be a real primary in a standby cluster' },
      follow: { reason: 'standby-following', message: `no action. I am (${ctx.me}), a secondary, and following a standby leader (${leader})` },
    });
  }
  return follow(ctx, {
    demote: { reason: 'follower-demote', message: 'demoting self because I do not have the lock and I was a leader' },
    follow: { reason: 'follower-following', message: `no action. I am (${ctx.me}), a secondary, and following a leader (${leader})` },
  });
}
