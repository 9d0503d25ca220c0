/**
 * The lock holder becomes or stays primary (§1.10, Patroni's enforce_primary_role).
 * Promotion only follows holding the lock, a pre_promote that did not veto, and in sync
 * mode a /sync naming us as leader (invariant 4).
 */
import { clusterTimeline } from '../../dcs/cluster.js';
import { decision, prepend, type Action, type Decision } from '../actions.js';
import type { ReasonCode } from '../reasons.js';
import type { Ctx } from './context.js';
import { demoteActions } from './demotion.js';
import { desiredSlots } from './slots.js';
import { quorumPrePromote } from './quorum-sync.js';
import { withSyncProcessing } from './sync.js';
import { follow } from './follower.js';
import { isStandbyCluster, standbyLeaderMessages } from './standby-cluster.js';

export function enforcePrimaryRole(
  ctx: Ctx,
  stay: { reason: ReasonCode; message: string },
  promote: { reason: ReasonCode; message: string },
): Decision {
  // A standby cluster's lock holder follows the remote and is never promoted (§1.16).
  if (isStandbyCluster(ctx)) return enforceStandbyLeaderRole(ctx);
  const watchdog = ctx.view.watchdog;
  if (ctx.paused || !watchdog || watchdog.mode === 'off' || watchdog.running) return enforcePrimaryRoleBody(ctx, stay, promote);
  // No leading without the watchdog `required` asks for (spec/ha.md §3.11): open it first.
  const onActivated = enforcePrimaryRoleBody(ctx, stay, promote);
  const onFailed = ctx.isPrimary
    ? decision('watchdog-activation-failed-demote', 'Demoting self because watchdog could not be activated', demoteActions(ctx, 'immediate'))
    : decision('watchdog-activation-failed-release', 'Not promoting self because watchdog could not be activated', [{ type: 'releaseLeader' }]);
  return decision(onActivated.reason, onActivated.message, [{ type: 'activateWatchdog', onActivated, onFailed }]);
}

function enforcePrimaryRoleBody(
  ctx: Ctx,
  stay: { reason: ReasonCode; message: string },
  promote: { reason: ReasonCode; message: string },
): Decision {
  if (!ctx.paused && ctx.memory.prePromoteVetoed) {
    return decision('pre-promote-failed', 'Promotion cancelled because the pre-promote script failed', [
      { type: 'remember', patch: { prePromoteVetoed: false, raceBackoffUntil: ctx.now + ctx.ttlMs } },
      { type: 'releaseLeader' },
    ]);
  }
  if (ctx.isPrimary) {
    return prepend(historyActions(ctx), withSyncProcessing(ctx, decision(stay.reason, stay.message)));
  }
  if (ctx.role === 'primary' || ctx.role === 'promoted') {
    // A promotion is under way (Postgres still reports recovery).
    return withSyncProcessing(ctx, decision(stay.reason, stay.message));
  }
  const launch: Action[] = [{ type: 'remember', patch: { failsafeActive: false } }, ...slotsBeforePromotion(ctx), { type: 'promote' }];
  if (!ctx.syncMode) return decision(promote.reason, promote.message, launch);
  if (ctx.quorumMode) {
    return quorumPrePromote(
      ctx,
      decision(promote.reason, promote.message, launch),
      decision('sync-promotion-postponed', 'Postponing promotion because synchronous replication state could not be updated'),
    );
  }
  return decision(promote.reason, promote.message, [
    {
      // Publish ourselves as the sync leader before promoting; a lost CAS may mean we lost the lock.
      type: 'writeSync',
      leader: ctx.me,
      standbys: [],
      version: ctx.cluster.sync.version,
      chain: false,
      onWritten: decision(promote.reason, promote.message, [
        { type: 'setSyncStandbyNames', value: ctx.config.synchronousModeStrict ? '*' : null },
        ...launch,
      ]),
      onConflict: decision(
        'sync-promotion-postponed',
        'Postponing promotion because synchronous replication state was updated by somebody else',
      ),
    },
  ]);
}

/**
 * The physical slots of the members that will stream from us, created on the standby
 * before it is promoted (pgwarden addition: Patroni creates them in the first cycle as
 * primary). Otherwise an agent that stalls right after the promotion leaves every replica
 * unable to stream ("replication slot does not exist"), and whatever the new primary
 * acknowledges meanwhile exists nowhere else.
 */
function slotsBeforePromotion(ctx: Ctx): Action[] {
  if (!ctx.config.useSlots || !ctx.local.running) return [];
  const desired = desiredSlots({ ...ctx, isPrimary: true }).filter((s) => s.type === 'physical');
  if (!desired.length) return [];
  return [{ type: 'syncSlots', desired, ignore: ctx.config.ignoreSlots, dropUndesired: false }];
}

/** /history is rewritten when its last line is not our previous timeline or lacks Patroni's 5 fields. */
function historyActions(ctx: Ctx): Action[] {
  const tl = ctx.timeline;
  if (tl <= 0) return [];
  const lines = ctx.cluster.history?.lines ?? [];
  if (tl === 1) return lines.length ? [{ type: 'writeHistory', timeline: 1, current: lines }] : [];
  const last = lines[lines.length - 1];
  if (last && last[0] === tl - 1 && last.length >= 5) return [];
  if (clusterTimeline(ctx.cluster) > tl) return []; // never rewrite a newer history from an older primary
  return [{ type: 'writeHistory', timeline: tl, current: lines }];
}

/**
 * Patroni's enforce_follow_remote_member: the lock holder of a standby cluster streams
 * from the remote as its standby leader; a writable Postgres is demoted first
 * (demote-cluster, keeping the lock).
 */
function enforceStandbyLeaderRole(ctx: Ctx): Decision {
  return follow(ctx, {
    demote: { reason: 'standby-cluster-demote', message: 'cannot be a real primary in a standby cluster' },
    follow: standbyLeaderMessages(ctx),
  });
}
