/**
 * Manual switchover/failover requests from the `/failover` key: at the leader (§1.11)
 * and during the leader race when there is no lock (§1.9). Scheduled requests act when
 * −1.5·loop_wait ≤ (at − now) ≤ loop_wait, sleeping the remainder; older ones are stale.
 */
import { findMember, isFailoverEmpty } from '../../dcs/cluster.js';
import type { Action, Decision } from '../actions.js';
import { decision } from '../actions.js';
import { failoverLimitation } from '../peers.js';
import { failoverActionName, inSync, type Ctx } from './context.js';
import { demoteActions } from './demotion.js';
import { isFailoverPossible, isHealthiestAmong, peerStatus, type Verdict } from './health.js';

export interface LeaderFailoverOutcome {
  /** Set when we demote; the cycle ends with it. */
  readonly decision: Decision | null;
  /** Actions to run either way (clearing a stale or impossible request). */
  readonly actions: readonly Action[];
}

const nothing: LeaderFailoverOutcome = { decision: null, actions: [] };

/** Where a scheduled request stands. */
export function scheduleStatus(ctx: Ctx, scheduledAtMs: number | null): { kind: 'now'; waitMs: number } | { kind: 'later' } | { kind: 'stale' } {
  if (scheduledAtMs === null) return { kind: 'now', waitMs: 0 };
  const delta = scheduledAtMs - ctx.view.wallNow;
  if (delta > ctx.loopWaitMs) return { kind: 'later' };
  if (delta < -Math.trunc(ctx.config.timing.loopWait * 1.5) * 1000) return { kind: 'stale' };
  return { kind: 'now', waitMs: Math.max(0, delta) };
}

/** Patroni's process_manual_failover_from_leader. */
export function manualFailoverAtLeader(ctx: Ctx): LeaderFailoverOutcome {
  const f = ctx.cluster.failover;
  if (!f || isFailoverEmpty(f) || (ctx.paused && !ctx.isPrimary)) return nothing;
  const clear: Action = { type: 'clearFailover', version: f.version };
  const action = failoverActionName(ctx.cluster);
  const pre: Action[] = [];
  if (f.scheduledAtMs !== null || f.scheduledAt) {
    // A scheduled request is only honoured outside pause.
    if (ctx.paused) return nothing;
    const when = scheduleStatus(ctx, f.scheduledAtMs);
    if (when.kind === 'later') return nothing;
    if (when.kind === 'stale') return { decision: null, actions: [clear] };
    if (when.waitMs > 0) pre.push({ type: 'sleep', ms: when.waitMs });
  }
  if (!f.leader || f.leader === ctx.me) {
    if (!f.candidate || f.candidate !== ctx.me) {
      if (!(!f.candidate && ctx.paused) && isFailoverPossible(ctx).ok) {
        return {
          decision: decision('switchover-demote', `${action}: demoting myself`, [
            ...pre,
            ...demoteActions(ctx, 'graceful', `${action}: demote`),
          ]),
          actions: [],
        };
      }
    }
  }
  // Impossible, already done, or not meant for us: clear the request (with CAS).
  return { decision: null, actions: [...pre, clear] };
}

export interface NoLeaderFailoverOutcome {
  /** true: I should take over; false: not me; null: the request was stale, decide as usual. */
  readonly result: boolean | null;
  readonly why: string;
  readonly actions: readonly Action[];
}

/** Patroni's manual_failover_process_no_leader. */
export function manualFailoverWithoutLeader(ctx: Ctx): NoLeaderFailoverOutcome {
  const f = ctx.cluster.failover!;
  if (f.candidate) {
    if (f.candidate === ctx.me) return { result: true, why: 'I am the candidate', actions: [] };
    if (ctx.paused) {
      // Only the primary removes a request whose candidate is gone, so nodes do not all race to delete it.
      if (!findMember(ctx.cluster, f.candidate) && ctx.isPrimary) {
        return { result: null, why: 'failover candidate is not running', actions: [{ type: 'clearFailover', version: f.version }] };
      }
      return { result: false, why: 'paused: waiting for the candidate', actions: [] };
    }
    // Quorum mode lets any member act here; the vote count decides (isHealthiestAmong).
    if (ctx.syncMode && !ctx.quorumMode && !inSync(ctx.cluster, ctx.me, true)) return { result: false, why: 'not listed in /sync', actions: [] };
    if (findMember(ctx.cluster, f.candidate) && failoverLimitation(peerStatus(ctx, f.candidate)) === null) {
      return { result: false, why: `the candidate ${f.candidate} is healthy`, actions: [] };
    }
    // The named candidate cannot take over: treat the request as candidate-less.
  } else if (ctx.paused) {
    return { result: false, why: 'paused: a failover needs a named candidate', actions: [] };
  }
  if (f.leader && f.leader === ctx.me) {
    const possible = isFailoverPossible(ctx, { excludeCandidate: !!f.candidate });
    // The old leader takes the lock back only when nobody else can.
    return { result: !possible.ok, why: possible.ok ? 'another member can take over' : 'I am the only healthy member', actions: [] };
  }
  const verdict: Verdict = isHealthiestAmong(
    ctx,
    ctx.cluster.members.filter((m) => m.name !== f.leader),
    false,
  );
  return { result: verdict.ok, why: verdict.why, actions: [] };
}
