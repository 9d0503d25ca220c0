/**
 * The leader race while the cluster is unlocked (§1.8). `isHealthiestNode` answers false
 * at the first failing check, in Patroni's order; the winner takes the lock with an
 * atomic create-if-absent and then becomes (or stays) primary.
 */
import { clusterTimeline, type Member } from '../../dcs/cluster.js';
import { decision, prepend, type Action, type Decision } from '../actions.js';
import { inSync, type Ctx } from './context.js';
import { manualFailoverWithoutLeader } from './failover.js';
import { decideDcsUnavailable } from './failsafe.js';
import { demoteActions, triggerRewindCheck } from './demotion.js';
import { follow } from './follower.js';
import { isHealthiestAmong, type Verdict } from './health.js';
import { enforcePrimaryRole } from './promote.js';

export interface RaceVerdict extends Verdict {
  /** Side effects of the checks (clearing a stale failover key in pause). */
  readonly actions: readonly Action[];
}

const verdict = (ok: boolean, why: string, actions: readonly Action[] = []): RaceVerdict => ({ ok, why, actions });

export function isHealthiestNode(ctx: Ctx): RaceVerdict {
  const { cluster, memory } = ctx;
  if (memory.raceBackoffUntil !== null && ctx.now < memory.raceBackoffUntil) {
    return verdict(false, 'backoff: skip leader race after pre_promote script failure and releasing the lock voluntarily');
  }
  let carried: readonly Action[] = [];
  const failover = cluster.failover && (cluster.failover.leader || cluster.failover.candidate) ? cluster.failover : null;
  if (ctx.paused && !ctx.node.tags.nofailover && failover && !failover.scheduledAt) {
    const r = manualFailoverWithoutLeader(ctx);
    if (r.result !== null) return verdict(r.result, r.why, r.actions);
    carried = r.actions;
  }
  if (ctx.isPrimary) {
    if (ctx.paused) {
      // In pause a running primary re-takes the lock only if it belongs to this cluster.
      const sysid = ctx.local.dataDir.kind === 'valid' ? ctx.local.dataDir.sysid : null;
      const ok = !cluster.initialize || sysid === cluster.initialize;
      return verdict(ok, ok ? 'paused primary of this cluster' : 'paused primary with a different system ID', carried);
    }
    // A primary that stalled past ttl while another node promoted must not take the lock back.
    const clusterTl = clusterTimeline(cluster);
    if (ctx.timeline < clusterTl) {
      return verdict(false, `My timeline ${ctx.timeline} is behind last known cluster timeline ${clusterTl}`, carried);
    }
    return verdict(true, 'running primary', carried);
  }
  if (ctx.paused) return verdict(false, 'paused: replicas do not race', carried);
  if (ctx.node.tags.nofailover) return verdict(false, 'not allowed to promote (nofailover)', carried);
  if (failover) {
    if (failover.leader && ctx.syncActive && !inSync(cluster, ctx.me, true)) {
      return verdict(false, 'switchover in synchronous mode: not a synchronous standby', carried);
    }
    const r = manualFailoverWithoutLeader(ctx);
    return verdict(r.result ?? false, r.why, [...carried, ...r.actions]);
  }
  // Step 6: `watchdog.mode: required` with an unusable device never leads (spec/ha.md §3.11).
  if (ctx.view.watchdog && !ctx.view.watchdog.healthy) return verdict(false, 'Watchdog device is not usable', carried);
  const known = new Map<string, Pick<Member, 'name' | 'data'>>();
  for (const m of ctx.view.oldCluster?.members ?? []) known.set(m.name, m);
  if (ctx.config.failsafeMode && cluster.failsafe) {
    const names = Object.keys(cluster.failsafe);
    if (names.length && !names.includes(ctx.me)) return verdict(false, 'not listed in /failsafe', carried);
    for (const [name, apiUrl] of Object.entries(cluster.failsafe)) known.set(name, { name, data: { api_url: apiUrl } });
  }
  for (const m of cluster.members) known.set(m.name, m);
  let candidates = [...known.values()];
  if (ctx.syncActive) {
    // Only /sync members (and the former leader) may promote automatically (invariant 5);
    // in quorum mode anyone may, given enough votes (checked in isHealthiestAmong).
    if (!ctx.quorumMode && !inSync(cluster, ctx.me, true)) return verdict(false, 'not a synchronous standby', carried);
    candidates = candidates.filter((m) => inSync(cluster, m.name, true));
  }
  const v = isHealthiestAmong(ctx, candidates, true);
  return verdict(v.ok, v.why, carried);
}

/** Patroni's process_unhealthy_cluster. */
export function decideLeaderRace(ctx: Ctx): Decision {
  const health = isHealthiestNode(ctx);
  if (health.ok) return prepend(health.actions, raceForLock(ctx));
  // Why, as Patroni logs it ("Wal position of node2 is ahead of my wal position").
  const pre: Action[] = [...health.actions, { type: 'log', level: 'info', message: health.why }];
  if (ctx.cluster.failover || ctx.node.tags.nofailover) {
    // Give the chosen one time to take the lock before we look again.
    pre.push({ type: 'remember', patch: { rewind: triggerRewindCheck(ctx) } }, { type: 'sleep', ms: 2000, untilLeaderTaken: true });
  }
  const nofailover = ctx.node.tags.nofailover;
  return prepend(
    pre,
    follow(ctx, {
      demote: nofailover
        ? { reason: 'race-nofailover-demote', message: 'demoting self because I am not allowed to become primary' }
        : { reason: 'race-not-healthiest-demote', message: 'demoting self because i am not the healthiest node' },
      follow: nofailover
        ? { reason: 'race-nofailover-follow', message: 'following a different leader because I am not allowed to promote' }
        : { reason: 'race-not-healthiest-follow', message: 'following a different leader because i am not the healthiest node' },
    }),
  );
}

function raceForLock(ctx: Ctx): Decision {
  const f = ctx.cluster.failover;
  const afterWin: Action[] = [];
  if (f) {
    // In pause a switchover keeps only the candidate, so it still promotes; otherwise the request is done.
    if (ctx.paused && f.leader && f.candidate) afterWin.push({ type: 'writeFailover', candidate: f.candidate, scheduledAt: f.scheduledAt, version: f.version });
    else afterWin.push({ type: 'clearFailover' });
  }
  const won = enforcePrimaryRole(
    { ...ctx, ownsLock: true, unlocked: false },
    { reason: 'race-acquired-as-primary', message: 'acquired session lock as a leader' },
    { reason: 'race-acquired-promote', message: 'promoted self to leader by acquiring session lock' },
  );
  const lost = ctx.isPrimary && ctx.paused
    ? decision('paused-primary-without-lock', 'continue to run as primary without lock')
    : ctx.isPrimary
    ? decision('race-lost-demote', 'demoted self after trying and failing to obtain lock', [
        ...demoteActions(ctx, 'immediate-nolock'),
      ])
    : // The winner is not in our snapshot: look again at once and follow it then.
      decision('race-lost-follow', 'following new leader after trying and failing to obtain lock', [{ type: 'wake' }]);
  return decision(won.reason, won.message, [
    {
      type: 'acquireLeader',
      // The guard is armed before anything else, so a promotion is covered from its first instant.
      onHeld: prepend([...ctx.armGuard, ...afterWin], won),
      onLost: lost,
      onUnavailable: { ...decideDcsUnavailable(ctx), reason: 'race-dcs-unavailable' },
    },
  ]);
}
