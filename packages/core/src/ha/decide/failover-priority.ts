/**
 * failover_priority in the leader race (Patroni 4.1's `_is_healthiest_node`): among
 * candidates with the same WAL position, a peer with a higher priority goes first.
 * Only a peer whose Postgres is up (a WAL position above 0) counts, and the former
 * leader never does: it is the node that just failed. In synchronous mode only the
 * synchronous standbys may promote, so priorities do not apply there.
 */
import type { PeerStatus } from '../peers.js';
import type { Ctx } from './context.js';

/** True when `peer` should win the race instead of this node on priority alone. */
export function outranksOnPriority(ctx: Ctx, peer: PeerStatus): boolean {
  if (ctx.syncActive) return false;
  if (peer.walPosition <= 0 || peer.walPosition !== ctx.walPosition) return false;
  const formerLeader = ctx.view.oldCluster?.leader?.name;
  if (formerLeader !== undefined && formerLeader.toLowerCase() === peer.name.toLowerCase()) return false;
  return ctx.node.tags.failoverPriority < peer.failoverPriority;
}
