/**
 * The physical slots a node keeps for the other members (§3.10, Patroni 4).
 *
 * With `member_slots_ttl` > 0 every node keeps a slot for every other streaming member,
 * replicas too, advanced to where that member is: whichever node becomes primary then
 * already holds WAL for all of them. A member whose key is gone keeps its slot while the
 * leader lists it in /status `retain_slots`. With `member_slots_ttl: 0` only the slots a
 * node serves exist: on the leader its streaming members', on a replica its cascade's.
 */
import { findMember, type Member } from '../../dcs/cluster.js';
import type { DesiredSlot } from '../../postgres/slots.js';
import { memberSlotName } from './slot-name.js';
import { memberTags, type Ctx } from './context.js';

/** Would `m` stream from us? On the leader: unless it cascades from another existing member. */
export function streamsFromUs(ctx: Ctx, m: Member, leaderRole: boolean): boolean {
  const from = memberTags(m).replicatefrom;
  // A replicatefrom naming a member that does not exist falls back to the leader.
  const cascades = from !== null && from !== m.name && findMember(ctx.cluster, from) !== undefined;
  if (leaderRole) return !cascades || from === ctx.me;
  return cascades && from === ctx.me && m.name !== ctx.cluster.leader?.name;
}

/** The LSN a member's slot may be advanced to: the leader's published slot, or the member's own position. */
function memberLsn(ctx: Ctx, m: Member, slot: string): number {
  const published = ctx.cluster.status.slots?.[slot];
  const own = typeof m.data.xlog_location === 'number' ? m.data.xlog_location : 0;
  // A cascading member's slot on the leader does not move; its own position is the truth then.
  if (published === undefined || memberTags(m).replicatefrom) return Math.max(published ?? 0, own);
  return published;
}

/**
 * Patroni cleans idle slots holding an xmin only when the cluster has a leader and we
 * are not a lock holder still running as a standby.
 */
export function mayCleanIdleSlots(ctx: Ctx): boolean {
  return !ctx.unlocked && (!ctx.ownsLock || ctx.isPrimary);
}

export function memberSlots(ctx: Ctx, leaderRole: boolean): DesiredSlot[] {
  const retain = ctx.config.memberSlotsTtl > 0;
  const nofailover = ctx.node.tags.nofailover;
  const own = memberSlotName(ctx.me);
  const out = new Map<string, DesiredSlot>();
  for (const m of ctx.cluster.members) {
    if (m.name === ctx.me || memberTags(m).nostream) continue;
    const active = streamsFromUs(ctx, m, leaderRole);
    // A node that never leads only keeps slots for those that stream from it.
    const wanted = retain ? !nofailover || memberTags(m).replicatefrom === ctx.me : active;
    if (!wanted) continue;
    const name = memberSlotName(m.name);
    const lsn = memberLsn(ctx, m, name);
    // On the leader a streaming member's own feedback moves its slot; elsewhere nobody does.
    const advance = lsn > 0 && !(leaderRole && active);
    out.set(name, {
      name,
      type: 'physical',
      ...(advance && { advanceTo: lsn }),
      ...(!active && mayCleanIdleSlots(ctx) && { expectActive: false }),
    });
  }
  if (!nofailover) {
    for (const name of ctx.cluster.status.retainSlots ?? []) {
      if (name !== own && !out.has(name)) out.set(name, { name, type: 'physical' });
    }
  }
  return [...out.values()];
}
