/**
 * The leader race judged against ground truth, at the instant a node wins it (its
 * acquireLeader answered `held`): spec/ha.md §1.8 step 8 and §5 invariant 7.
 *
 * - **race-winner-lagging**: the winner was further behind `/status`'s optime (as the
 *   server held it) than `maximum_lag_on_failover` (as `/config` held it). Its own position
 *   is read now, which can only be ahead of what it saw when it decided.
 * - **race-winner-behind**: a peer answered the winner's `GET /patroni` of this race as a
 *   replica with more WAL than the winner has now. The answers are the bodies the world
 *   delivered (before any rewrite of the engine's view), from the last 3 s — one round of
 *   requests (2 s timeout) and the acquire. Peers the engine rightly leaves out are left
 *   out: tagged nofailover, and in active sync mode a peer /sync does not list or the
 *   former leader /sync names (§1.8 step 7).
 *
 * - **race-winner-not-in-sync**: in active sync mode (`/sync` has a leader) the winner is
 *   neither a standby `/sync` lists nor its leader (§1.8 step 7, §1.15 step 5).
 *
 * A peer whose WAL left the winner's history on an old timeline after the winner's
 * history switched away from it (an abandoned branch, which only pg_rewind can join
 * back) is not compared either: that WAL is not part of the cluster's history, so the
 * winner cannot be "behind" it. Judged on the shared WAL records, not on what the peer
 * reported.
 *
 * A running primary re-taking the lock compares nothing (§1.8 step 3), so it is skipped.
 */
import { parsePeerStatus } from '../src/ha/peers.js';
import { currentTimeline, endLsn, hasTimeline, switchOutOf, type WalRecord } from './wal.js';
import { maximumLagOnFailover, serverStatusLsn, serverSync, syncModeOn } from './dcs-truth.js';
import { quorumModeOn } from './quorum-check.js';
import type { SimNode, World } from './world.js';

/** One round of peer requests (2 s each, in parallel) and the acquire that follows. */
const RACE_ROUND_MS = 3000;

export interface RaceFinding {
  readonly invariant: 'race-winner-lagging' | 'race-winner-behind' | 'race-winner-not-in-sync';
  readonly message: string;
}

export function judgeRaceWinner(world: World, winner: SimNode, nofailover: ReadonlySet<string>): RaceFinding | null {
  const snap = winner.pg.apiSnapshot();
  if (!snap || snap.primary) return null;
  const mine = Math.max(snap.flushLsn, snap.replayLsn);
  const optime = serverStatusLsn(world);
  const maxLag = maximumLagOnFailover(world);
  if (optime - mine > maxLag) {
    return {
      invariant: 'race-winner-lagging',
      message: `${winner.name} won the leader race at WAL ${mine}, ${optime - mine} bytes behind /status (${optime}), more than maximum_lag_on_failover ${maxLag}`,
    };
  }
  const now = world.clock.now();
  const sync = serverSync(world);
  const syncActive = syncModeOn(world) && sync.leader !== null;
  const listed = (name: string): boolean => sync.syncStandbys.some((s) => s.toLowerCase() === name.toLowerCase());
  if (syncActive && !listed(winner.name) && sync.leader?.toLowerCase() !== winner.name.toLowerCase()) {
    return {
      invariant: 'race-winner-not-in-sync',
      message: `${winner.name} won the leader race although /sync (leader ${sync.leader}, standbys ${sync.syncStandbys.join(',') || 'none'}) does not list it`,
    };
  }
  // Quorum mode compares with /sync's members too, and anyone may win given the votes.
  const compareWithSyncOnly = syncActive || (quorumModeOn(world) && sync.leader !== null);
  for (const [peer, answer] of winner.peerAnswers) {
    if (now - answer.at > RACE_ROUND_MS || nofailover.has(peer)) continue;
    if (compareWithSyncOnly && (!listed(peer) || sync.leader?.toLowerCase() === peer.toLowerCase())) continue;
    const st = parsePeerStatus(peer, answer.body);
    if (!st.reachable || !st.inRecovery || st.walPosition <= mine) continue;
    if (onAbandonedBranch(world.node(peer).pg.wal, winner.pg.wal)) continue;
    return {
      invariant: 'race-winner-behind',
      message: `${winner.name} won the leader race at WAL ${mine} although ${peer} answered its /patroni ${((now - answer.at) / 1000).toFixed(3)}s before with WAL ${st.walPosition}`,
    };
  }
  return null;
}

/** True when `peer` went on along a timeline past the point where `winner`'s history left it. */
function onAbandonedBranch(peer: readonly WalRecord[], winner: readonly WalRecord[]): boolean {
  const tli = currentTimeline(peer);
  if (!hasTimeline(winner, tli)) return false;
  const switchLsn = switchOutOf(winner, tli);
  return switchLsn !== undefined && endLsn(peer) > switchLsn;
}
