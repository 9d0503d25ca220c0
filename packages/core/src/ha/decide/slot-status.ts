/**
 * What the leader publishes about slots in /status each cycle (spec/dcs.md §2.3):
 * - `slots`: the LSN of each permanent slot (logical: confirmed_flush; physical: restart)
 *   so replicas can advance their copies. With `member_slots_ttl` > 0 (Patroni 4) the
 *   members' slots too, and our own name with our WAL position: every node keeps slots
 *   for all the others and advances them from here.
 * - `retain_slots`: the slots of current members, plus those of members that left less
 *   than `member_slots_ttl` ago. Every node keeps the slots listed there, so a member that
 *   comes back in time finds its WAL still reserved.
 */
import { memberSlotName } from './slot-name.js';
import type { Action } from '../actions.js';
import { memberTags, type Ctx } from './context.js';

function memberSlotNames(ctx: Ctx): Set<string> {
  const names = new Set<string>();
  for (const m of ctx.cluster.members) if (!memberTags(m).nostream) names.add(memberSlotName(m.name));
  return names;
}

/**
 * retain_slots, and the new bookkeeping when it changed. The clock of a departed member
 * starts when this leader first sees it gone (a new leader starts every clock afresh, as
 * Patroni does on taking the lock); a member that comes back is current again.
 */
function retainSlots(ctx: Ctx, onLeader: ReadonlySet<string>): { names: string[]; goneSince: Record<string, number> | null } {
  const ttlMs = ctx.config.memberSlotsTtl * 1000;
  const before = ctx.memory.retainGoneSince ?? {};
  const gone: Record<string, number> = {};
  const permanentPhysical = new Set(ctx.config.permanentSlots.filter((s) => s.type === 'physical').map((s) => s.name));
  const current = [...memberSlotNames(ctx)].filter((n) => onLeader.has(n) && !permanentPhysical.has(n));
  const names = new Set(ttlMs > 0 ? current : []);
  for (const name of ctx.cluster.status.retainSlots ?? []) {
    if (names.has(name) || permanentPhysical.has(name) || ttlMs <= 0) continue;
    const since = before[name] ?? ctx.now;
    if (since + ttlMs <= ctx.now) continue;
    gone[name] = since;
    names.add(name);
  }
  const changed = JSON.stringify(Object.entries(gone).sort()) !== JSON.stringify(Object.entries(before).sort());
  return { names: [...names].sort(), goneSince: changed ? gone : null };
}

/** The /status write of a lock holder (after a successful renewal), and the retain_slots memory when it changed. */
export function leaderStatusActions(ctx: Ctx): Action[] {
  const obs = ctx.local.observation;
  if (!obs) return [];
  const retain = ctx.config.memberSlotsTtl > 0;
  const permanent = new Set(ctx.config.permanentSlots.map((s) => s.name));
  const members = memberSlotNames(ctx);
  const own = memberSlotName(ctx.me);
  const slots: Record<string, number> = {};
  for (const s of obs.slots) {
    if (!permanent.has(s.name) && !(retain && members.has(s.name) && s.type === 'physical')) continue;
    const lsn = s.type === 'logical' ? s.confirmedFlushLsn : s.restartLsn;
    if (lsn !== null) slots[s.name] = lsn;
  }
  // Our own position under our slot name: where the others advance their slot for us.
  if (permanent.has(own) || retain) slots[own] = obs.walPosition;
  const { names, goneSince } = retainSlots(ctx, new Set(obs.slots.map((s) => s.name)));
  return [
    { type: 'writeStatus', lastLsn: obs.walPosition, slots: Object.keys(slots).length ? slots : null, ...(names.length ? { retainSlots: names } : {}) },
    ...(goneSince ? [{ type: 'remember' as const, patch: { retainGoneSince: goneSince } }] : []),
  ];
}
