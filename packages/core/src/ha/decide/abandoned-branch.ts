/**
 * Timelines in the leader race. WAL positions on two timelines are comparable only on
 * the history they share, so the race looks at timelines before positions:
 *
 * - A peer on a **later** timeline than ours proves that number is taken: promoting us
 *   would make Postgres pick it again (our latest + 1), and two histories under one
 *   number cannot be told apart. Such a peer keeps us out of the race, whatever the
 *   positions say.
 * - A peer on an **earlier** timeline that has *replayed* past our position went on along
 *   that timeline after the history we follow left it (we hold the switch record, so our
 *   position is past the switch point): an abandoned branch. Its WAL is not the cluster's,
 *   so its position must not keep us out — otherwise nobody leads, since it cannot win
 *   itself (its own timeline is behind).
 *
 * A replica reports its replayed timeline. Only its replayed position is trusted for the
 * second rule: WAL it has received but not replayed may already be on our timeline.
 */
import type { PeerStatus } from '../peers.js';
import type { Ctx } from './context.js';

export function isOnLaterTimeline(ctx: Ctx, peer: PeerStatus): boolean {
  return ctx.timeline > 0 && peer.timeline > ctx.timeline;
}

export function isOnAbandonedBranch(ctx: Ctx, peer: PeerStatus): boolean {
  if (!peer.timeline || peer.replayedPosition === undefined) return false;
  return peer.timeline < ctx.timeline && peer.replayedPosition > ctx.walPosition;
}
