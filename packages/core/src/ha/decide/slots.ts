/**
 * The desired replication slots, each cycle (§3.10). The controller makes Postgres match
 * the list (create, advance, drop); this file only decides what the list is.
 */
import { findMember, type Member } from '../../dcs/cluster.js';
import { slotNameFromMemberName, type DesiredSlot } from '../../postgres/slots.js';
import type { Action } from '../actions.js';
import { memberTags, type Ctx } from './context.js';

/** Members that stream from `upstream`: their replicatefrom names it, or they follow the leader. */
function streamsFrom(ctx: Ctx, m: Member, upstream: string, upstreamIsLeader: boolean): boolean {
  const tags = memberTags(m);
  if (tags.nostream || m.name === ctx.me) return false;
  const from = tags.replicatefrom;
  // A replicatefrom naming a member that does not exist falls back to the leader.
  const cascades = from !== null && from !== m.name && findMember(ctx.cluster, from) !== undefined;
  return cascades ? from === upstream : upstreamIsLeader;
}

export function desiredSlots(ctx: Ctx): DesiredSlot[] {
  // The lock holder is the leader even before its promotion ends (the controller may still
  // say replica): its members' slots were created for it before `promote`, never drop them.
  const leaderRole = ctx.isPrimary || ctx.role === 'standby_leader' || ctx.role === 'promoted' || ctx.ownsLock;
  const out = new Map<string, DesiredSlot>();
  for (const m of ctx.cluster.members) {
    // On the leader: one slot per member that streams from it. On a replica: those cascading from us.
    if (!streamsFrom(ctx, m, ctx.me, leaderRole)) continue;
    if (!leaderRole && m.name === ctx.cluster.leader?.name) continue;
    const name = slotNameFromMemberName(m.name);
    // Only replicas advance slots; on the leader the standby's own feedback moves them.
    const advanceTo = !leaderRole && typeof m.data.xlog_location === 'number' ? m.data.xlog_location : undefined;
    out.set(name, advanceTo === undefined ? { name, type: 'physical' } : { name, type: 'physical', advanceTo });
  }
  if (ctx.config.useSlots && !ctx.node.tags.nofailover) {
    const own = slotNameFromMemberName(ctx.me);
    const known = ctx.cluster.status.slots ?? {};
    for (const slot of ctx.config.permanentSlots) {
      if (slot.name === own) continue; // never a permanent slot named after ourselves, on us
      const advanceTo = leaderRole ? undefined : known[slot.name];
      if (slot.type === 'physical') {
        out.set(slot.name, advanceTo === undefined ? { name: slot.name, type: 'physical' } : { name: slot.name, type: 'physical', advanceTo });
      } else if (leaderRole && ctx.config.standbyCluster === null) {
        // Logical slots are created on the primary; copying them to replicas is not implemented yet.
        out.set(slot.name, { name: slot.name, type: 'logical', database: slot.database!, plugin: slot.plugin! });
      }
    }
  }
  return [...out.values()];
}

/** The slot pass runs when no task runs (or a promote), Postgres is not starting, and /config is valid. */
export function slotActions(ctx: Ctx, taskKind: string | null): Action[] {
  if (!ctx.config.useSlots || !ctx.local.running || ctx.local.status.state === 'starting') return [];
  if (taskKind !== null && taskKind !== 'promote') return [];
  if (!ctx.cluster.config) return [];
  // In a leader race this very cycle may promote us (and create our members' slots first):
  // drop nothing until a later cycle knows which role we have.
  return [{ type: 'syncSlots', desired: desiredSlots(ctx), ignore: ctx.config.ignoreSlots, dropUndesired: !ctx.paused && !ctx.unlocked }];
}
