/**
 * Quorum commit (`synchronous_mode: quorum`) judged against ground truth
 * (docs/quorum-commit.md). `/sync` = {leader L, voters V, quorum q} promises that any
 * q + 1 nodes of V ∪ {L} include one holding every acknowledged commit, so that a node
 * that sees them and is not behind any of them may promote without losing one.
 *
 * - **quorum-ack**: at the instant a primary acknowledges a synchronous commit, `/sync` as
 *   the server holds it names that primary as leader, and at most q voters are outside
 *   the standbys that confirmed the commit.
 * - **quorum-sync-unsafe**: each time `/sync` changes, for every synchronous commit
 *   acknowledged so far, at most q nodes of V ∪ {L} lack it on disk (a crashed node's disk
 *   counts: it can vote only once it runs again).
 *
 * Together with lost-commit (checked at every failover) they state: no acknowledged
 * commit is lost, and no write ever leaves the cluster one failure away from losing one,
 * whatever number of standbys fail (too many failures stop promotions; they never lose
 * commits).
 */
import type { AckedCommit } from './postgres-model.js';
import { serverConfig, serverSync } from './dcs-truth.js';
import { formatTime } from './event-log.js';
import { commitIds } from './wal.js';
import type { World } from './world.js';
import { syncQuorum } from '../src/ha/decide/quorum-sync.js';
import { engineAgent, type EngineAgentOptions } from './agents/engine-agent.js';
import type { AgentFactory } from './agent.js';

export type QuorumInvariant = 'quorum-ack' | 'quorum-sync-unsafe';

/** `synchronous_mode: quorum` in `/config` as the server holds it. */
export function quorumModeOn(world: World): boolean {
  const v = serverConfig(world).synchronous_mode;
  return typeof v === 'string' && v.trim().toLowerCase() === 'quorum';
}

/** The engine agent with quorum commit on (the simulation's `--quorum`). */
export function quorumEngineAgent(options: EngineAgentOptions = {}): AgentFactory {
  return engineAgent({ ...options, dcsConfig: { synchronous_mode: 'quorum', ...options.dcsConfig } });
}

const lower = (s: string): string => s.toLowerCase();

/** quorum-ack for one acknowledgement, or null when it is fine. */
export function quorumAckViolation(world: World, commit: AckedCommit): string | null {
  if (!commit.sync || !quorumModeOn(world)) return null;
  const sync = serverSync(world);
  // Worded only for a violation: every acknowledged commit comes through here.
  const what = (): string => `commit ${commit.id} acknowledged by ${commit.node} at ${formatTime(commit.at).trim()}s (confirmed by ${commit.confirmedBy.join(',') || 'nobody'})`;
  if (!sync.leader) return null; // no voters: only the primary itself may take over
  if (lower(sync.leader) !== lower(commit.node)) return `${what()} while /sync names ${sync.leader} as its leader`;
  const holders = new Set([commit.node, ...commit.confirmedBy].map(lower));
  const quorum = syncQuorum(sync);
  const outside = sync.syncStandbys.filter((v) => !holders.has(lower(v)));
  if (outside.length > quorum) {
    return `${what()}, but ${outside.length} voters of /sync (${outside.join(',')}) lack it and the quorum is ${quorum}: ${quorum + 1} of them could elect a leader without it`;
  }
  return null;
}

/** Watches `/sync` and judges each new value (quorum-sync-unsafe). */
export class QuorumSyncWatch {
  private lastVersion: string | null = null;

  constructor(private readonly world: World) {}

  /** A violation message for the `/sync` now in the server, if it changed and is unsafe. */
  check(): string | null {
    const sync = serverSync(this.world);
    if (sync.version === this.lastVersion) return null;
    this.lastVersion = sync.version;
    if (!sync.leader || !quorumModeOn(this.world)) return null;
    const quorum = syncQuorum(sync);
    const voting = [...new Map([sync.leader, ...sync.syncStandbys].map((n) => [lower(n), n])).values()];
    const onDisk = new Map(this.world.nodes.map((n) => [lower(n.name), commitIds(n.pg.wal)]));
    for (const c of this.world.nodes.flatMap((n) => n.pg.acked)) {
      if (!c.sync) continue;
      const lacking = voting.filter((v) => !onDisk.get(lower(v))?.has(c.id));
      if (lacking.length > quorum) {
        return `/sync became leader ${sync.leader}, quorum ${quorum}, voters ${sync.syncStandbys.join(',') || 'none'} at ${formatTime(this.world.clock.now()).trim()}s, but commit ${c.id} (acknowledged by ${c.node} at ${formatTime(c.at).trim()}s) is missing on ${lacking.join(',')}: ${quorum + 1} of them could elect a leader without it`;
      }
    }
    return null;
  }
}
