/**
 * Permanent logical slots on replicas (§3.10). Before PostgreSQL 16 a standby cannot
 * create a logical slot, so a replica copies the slot's state file from the primary and
 * then advances it each cycle to the `confirmed_flush_lsn` the leader publishes in
 * /status. A replica holding such a slot must send hot-standby feedback, or the primary
 * may remove catalog rows the slot still needs to decode.
 */
import type { PermanentSlot as PermanentSlotSpec } from '../../config/dynamic.js';
import { findMember, type Member } from '../../dcs/cluster.js';
import type { LogicalSlotSpec } from '../../postgres/slots.js';
import { memberSlotName } from './slot-name.js';
import type { NodeTags } from '../tags.js';
import { memberTags, type Ctx } from './context.js';

/**
 * The physical slot on the primary that carries our WAL (and our feedback): ours, or that
 * of the member we cascade through. Null with `nostream` anywhere on the way or a loop of
 * `replicatefrom` tags: no feedback reaches the primary then.
 */
export function slotNameOnPrimary(ctx: Ctx, name = ctx.me, tags: NodeTags = ctx.node.tags): string | null {
  // Most nodes stream straight from the primary: the set of visited names is only built for a cascade.
  let seen: Set<string> | null = null;
  for (;;) {
    if (tags.nostream) return null;
    const from = tags.replicatefrom;
    const upstream: Member | undefined = from && from !== name ? findMember(ctx.cluster, from) : undefined;
    if (!upstream) return memberSlotName(name);
    seen ??= new Set<string>();
    seen.add(name);
    if (seen.has(upstream.name)) return null;
    name = upstream.name;
    tags = memberTags(upstream);
  }
}

/** The permanent logical slots a node named `name` keeps (any role): none in a standby cluster or without a path to the primary. */
function logicalSlotsFor(ctx: Ctx, name: string, tags: NodeTags): PermanentSlotSpec[] {
  if (!ctx.config.useSlots || tags.nofailover || ctx.config.standbyCluster !== null) return [];
  if (slotNameOnPrimary(ctx, name, tags) === null) return [];
  return ctx.config.permanentSlots.filter((s) => s.type === 'logical');
}

/** Permanent logical slots this node keeps as a replica. */
export function replicaLogicalSlots(ctx: Ctx): PermanentSlotSpec[] {
  return logicalSlotsFor(ctx, ctx.me, ctx.node.tags);
}

/**
 * Patroni's should_enforce_hot_standby_feedback: we hold logical slots, or a member that
 * cascades from us (not the leader) does, directly or further down.
 */
export function needsHotStandbyFeedback(ctx: Ctx): boolean {
  const seen = new Set<string>();
  const walk = (name: string, tags: NodeTags): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    if (logicalSlotsFor(ctx, name, tags).length > 0) return true;
    if (!ctx.config.useSlots || slotNameOnPrimary(ctx, name, tags) === null) return false;
    return ctx.cluster.members.some(
      (m) => m.name !== ctx.cluster.leader?.name && memberTags(m).replicatefrom === name && walk(m.name, memberTags(m)),
    );
  };
  return walk(ctx.me, ctx.node.tags);
}

/**
 * The logical slots a replica must copy from the primary this cycle: those it lacks while
 * the leader publishes a position for them (the primary has them), and those whose WAL
 * is gone (`wal_status` lost).
 */
export function logicalSlotsToCopy(ctx: Ctx): LogicalSlotSpec[] {
  const obs = ctx.local.observation;
  if (!obs || !obs.inRecovery || !ctx.cluster.leader || ctx.ownsLock) return [];
  const published = ctx.cluster.status.slots ?? {};
  const own = memberSlotName(ctx.me);
  const out: LogicalSlotSpec[] = [];
  for (const slot of replicaLogicalSlots(ctx)) {
    if (slot.name === own || published[slot.name] === undefined) continue;
    const have = obs.slots.find((s) => s.name === slot.name);
    const usable = have && have.type === 'logical' && have.database === slot.database && have.plugin === slot.plugin && have.walStatus !== 'lost';
    if (!usable) out.push({ name: slot.name, database: slot.database!, plugin: slot.plugin! });
  }
  return out;
}

/** Python's repr of a list of names, as in Patroni's "Copying logical slots ['a'] from the primary". */
export function namesList(names: readonly string[]): string {
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}
