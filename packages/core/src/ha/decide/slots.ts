/**
 * The desired replication slots, each cycle (§3.10). The controller makes Postgres match
 * the list (create, advance, drop); this file only decides what the list is, and when a
 * replica must copy logical slots from the primary.
 */
import type { DesiredSlot } from '../../postgres/slots.js';
import { memberSlotName } from './slot-name.js';
import type { Action } from '../actions.js';
import { memberTags, upstreamOf, type Ctx } from './context.js';
import { logicalSlotsToCopy, namesList, needsHotStandbyFeedback, replicaLogicalSlots, slotNameOnPrimary } from './logical-slots.js';
import { mayCleanIdleSlots, memberSlots } from './member-slots.js';

/** The lock holder leads even before its promotion ends (the controller may still say replica). */
function leads(ctx: Ctx): boolean {
  return ctx.isPrimary || ctx.role === 'standby_leader' || ctx.role === 'promoted' || ctx.ownsLock;
}

export function desiredSlots(ctx: Ctx): DesiredSlot[] {
  const leaderRole = leads(ctx);
  const out = new Map<string, DesiredSlot>(memberSlots(ctx, leaderRole).map((s) => [s.name, s]));
  if (!ctx.config.useSlots || ctx.node.tags.nofailover) return [...out.values()];
  const own = memberSlotName(ctx.me);
  const known = ctx.cluster.status.slots ?? {};
  const logicalHere = new Set((leaderRole ? ctx.config.permanentSlots : replicaLogicalSlots(ctx)).map((s) => s.name));
  const replayed = ctx.local.observation?.replayLsn ?? null;
  for (const slot of ctx.config.permanentSlots) {
    if (slot.name === own) continue; // never a permanent slot named after ourselves, on us
    const lsn = leaderRole ? undefined : known[slot.name];
    if (slot.type === 'physical') {
      // A member's slot of the same name keeps the member's position (it is the fresher one).
      if (out.has(slot.name)) continue;
      // On the leader a permanent physical slot is for a client streaming from it, unless it
      // belongs to a member that cascades from another node.
      const cascading = ctx.cluster.members.some((m) => memberSlotName(m.name) === slot.name && memberTags(m).replicatefrom);
      const idle = !(leaderRole && !cascading) && mayCleanIdleSlots(ctx);
      out.set(slot.name, { name: slot.name, type: 'physical', ...(lsn !== undefined && { advanceTo: lsn }), ...(idle && { expectActive: false }) });
      continue;
    }
    if (!logicalHere.has(slot.name) || (leaderRole && ctx.config.standbyCluster !== null) || out.has(slot.name)) continue;
    const logical = { name: slot.name, type: 'logical' as const, database: slot.database!, plugin: slot.plugin! };
    // A replica's slot cannot move past what it has replayed.
    const advanceTo = lsn === undefined ? undefined : replayed === null ? undefined : Math.min(lsn, replayed);
    out.set(slot.name, advanceTo === undefined ? logical : { ...logical, advanceTo });
  }
  return [...out.values()];
}

/** The slot pass runs when no task runs (or a promote), Postgres is not starting, and /config is valid. */
export function slotActions(ctx: Ctx, taskKind: string | null): Action[] {
  // retain_slots clocks belong to one stint as leader (slot-status.ts): a new one starts afresh.
  const forget: Action[] = !ctx.ownsLock && Object.keys(ctx.memory.retainGoneSince ?? {}).length ? [{ type: 'remember', patch: { retainGoneSince: {} } }] : [];
  return [...forget, ...slotPass(ctx, taskKind)];
}

function slotPass(ctx: Ctx, taskKind: string | null): Action[] {
  if (!ctx.config.useSlots || !ctx.local.running || ctx.local.status.state === 'starting') return [];
  if (taskKind !== null && taskKind !== 'promote') return [];
  if (!ctx.cluster.config) return [];
  const leaderRole = leads(ctx);
  const desired = desiredSlots(ctx);
  const hasLogical = !leaderRole && desired.some((s) => s.type === 'logical');
  const slotOnPrimary = slotNameOnPrimary(ctx);
  const leader = ctx.cluster.leader && ctx.cluster.leader.name !== ctx.me ? upstreamOf(ctx.cluster.leader.member) : null;
  const pass: Action = {
    type: 'syncSlots',
    desired,
    ignore: ctx.config.ignoreSlots,
    // In a leader race this very cycle may promote us (and create our members' slots
    // first): drop nothing until a later cycle knows which role we have.
    dropUndesired: !ctx.paused && !ctx.unlocked,
    hotStandbyFeedback: ctx.config.standbyCluster === null && needsHotStandbyFeedback(ctx),
    ...(hasLogical && leader && slotOnPrimary ? { readiness: { leader, slotOnPrimary } } : {}),
  };
  const copy = taskKind === null && leader && !ctx.memory.failsafeActive ? logicalSlotsToCopy(ctx) : [];
  if (!copy.length || !leader) return [pass];
  const names = namesList(copy.map((s) => s.name));
  return [
    pass,
    { type: 'log', level: 'info', message: `Copying logical slots ${names} from the primary` },
    { type: 'copyLogicalSlots', leader, slots: copy, task: 'copy_logical_slots' },
  ];
}
