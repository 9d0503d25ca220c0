/**
 * The health comparisons shared by the leader race and voluntary demotions:
 * `_is_healthiest_node` (§1.8 step 8) and "is a failover possible?" (§1.13). Each
 * returns a verdict plus the reason, which the loop logs.
 */
import { clusterTimeline, type Member } from '../../dcs/cluster.js';
import { failoverLimitation, unreachablePeer, type PeerStatus } from '../peers.js';
import { inSync, memberTags, type Ctx } from './context.js';
import { quorumAllowsFailover, quorumVote } from './quorum-race.js';
import { syncQuorum } from './quorum-sync.js';
import { outranksOnPriority } from './failover-priority.js';
import { isOnAbandonedBranch, isOnLaterTimeline } from './abandoned-branch.js';

export interface Verdict {
  readonly ok: boolean;
  readonly why: string;
}

const yes = (why: string): Verdict => ({ ok: true, why });
const no = (why: string): Verdict => ({ ok: false, why });

export function peerStatus(ctx: Ctx, name: string): PeerStatus {
  return ctx.view.peers?.get(name) ?? unreachablePeer(name);
}

/** Lag against the leader's last reported position in /status. */
export function isLagging(ctx: Ctx, walPosition: number): boolean {
  return ctx.cluster.status.lastLsn - walPosition > ctx.config.maximumLagOnFailover;
}

/**
 * Am I at least as good as every reachable candidate? `members` may include ourselves
 * and nofailover members; both are skipped. Unreachable peers are ignored (§5: a more
 * advanced but unreachable replica does not block promotion — Patroni's behaviour).
 */
export function isHealthiestAmong(ctx: Ctx, members: readonly Pick<Member, 'name' | 'data'>[], checkLag: boolean): Verdict {
  if (checkLag && isLagging(ctx, ctx.walPosition)) return no('My wal position exceeds maximum replication lag');
  if (ctx.config.standbyCluster === null) {
    const clusterTl = clusterTimeline(ctx.cluster);
    if (ctx.config.checkTimeline && !ctx.timeline) return no('Can not figure out my timeline');
    // pgwarden difference: checked whatever check_timeline says. Promoting from an older
    // timeline takes a timeline number the cluster has already used (Postgres picks our
    // latest + 1), and two histories under one number cannot be told apart by a replica.
    if (ctx.timeline && ctx.timeline < clusterTl) return no(`My timeline ${ctx.timeline} is behind last known cluster timeline ${clusterTl}`);
  }
  for (const m of members) {
    if (m.name === ctx.me || memberTags(m as Member).nofailover || !m.data.api_url) continue;
    const st = peerStatus(ctx, m.name);
    if (failoverLimitation(st) !== null) continue;
    if (!st.inRecovery) return no(`Primary (${m.name}) is still alive`);
    if (isOnLaterTimeline(ctx, st)) return no(`${m.name} is on timeline ${st.timeline}, ahead of my timeline ${ctx.timeline}`);
    if (ctx.walPosition < st.walPosition && !isOnAbandonedBranch(ctx, st)) {
      // In sync mode the former leader may still be reachable and ahead of us: not a reason to stand down.
      const formerLeader = ctx.syncActive && ctx.cluster.sync.leader?.toLowerCase() === m.name.toLowerCase();
      if (!formerLeader) return no(`Wal position of ${m.name} is ahead of my wal position`);
    }
    if (outranksOnPriority(ctx, st)) {
      return no(`${m.name} has equally tolerable WAL position and priority ${st.failoverPriority}, while this node has priority ${ctx.node.tags.failoverPriority}`);
    }
  }
  if (ctx.quorumActive) {
    // Quorum commit: only a node that sees enough of /sync's voters holds every acknowledged commit.
    const sync = ctx.cluster.sync;
    const vote = quorumVote({
      me: ctx.me,
      myWal: ctx.walPosition,
      syncLeader: sync.leader,
      voters: sync.syncStandbys,
      quorum: syncQuorum(sync),
      peers: [...sync.syncStandbys, ...(sync.leader ? [sync.leader] : [])].map((name) => peerStatus(ctx, name)),
    });
    if (!vote.ok) return no(vote.why);
  }
  return yes('healthiest');
}

/**
 * Could someone else take over (§1.13)? Used before any demotion we choose ourselves.
 * `clusterLsn`: the position a candidate must have reached (shutdown checkpoint);
 * without it, a candidate must be within maximum_lag_on_failover of /status.
 */
export function isFailoverPossible(ctx: Ctx, options: { clusterLsn?: number; excludeCandidate?: boolean } = {}): Verdict {
  const failover = ctx.cluster.failover;
  const exclude = new Set([ctx.me]);
  if (failover?.candidate && options.excludeCandidate) exclude.add(failover.candidate);
  const candidates = ctx.cluster.members.filter((m) => {
    // In sync mode an async node may take over only through a candidate-less manual failover
    // (Patroni issue 2819: every "failover possible" check applies this filter).
    if (ctx.syncActive && !ctx.quorumMode && !inSync(ctx.cluster, m.name, false) && !(failover && !failover.leader)) return false;
    if (exclude.has(m.name) || memberTags(m).nofailover || !m.data.api_url) return false;
    return !failover?.candidate || options.excludeCandidate || m.name === failover.candidate;
  });
  if (!candidates.length) return no('candidates list is empty');
  const clusterTl = clusterTimeline(ctx.cluster);
  const healthy: string[] = [];
  for (const m of candidates) {
    const st = peerStatus(ctx, m.name);
    if (failoverLimitation(st) !== null) continue;
    const lagging = options.clusterLsn ? st.walPosition < options.clusterLsn : isLagging(ctx, st.walPosition);
    if (lagging) continue;
    if (ctx.config.checkTimeline && (!st.timeline || st.timeline < clusterTl)) continue;
    healthy.push(m.name);
  }
  if (!healthy.length) return no('no healthy members found');
  if (ctx.quorumActive) {
    const quorum = syncQuorum(ctx.cluster.sync);
    const named = !!failover?.candidate && !options.excludeCandidate;
    if (!quorumAllowsFailover(healthy.length, quorum, named)) return no(`Quorum requirement ${quorum} can not be reached`);
  }
  return yes(`${healthy[0]} can take over`);
}
