/**
 * Who may promote in quorum mode (docs/quorum-commit.md). `/sync` says: every
 * acknowledged commit is on at least one of any `quorum + 1` nodes of voters ∪ {leader}.
 * So a candidate that sees that many of them (itself included when it is one), none
 * ahead of it, holds every acknowledged commit.
 */
export interface VoterPeer {
  readonly name: string;
  /** Answered our status request. */
  readonly reachable: boolean;
  /** Postgres runs in recovery (a primary still alive is handled by the caller). */
  readonly inRecovery: boolean;
  /** 0 when Postgres is not running: such a node cannot vote. */
  readonly walPosition: number;
}

export interface QuorumVote {
  readonly ok: boolean;
  readonly votes: number;
  readonly why: string;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * Counts the voters that are reachable, running and not ahead of `myWal`. A voter counts
 * itself; a node outside the voters needs one vote more. The former leader listed in
 * /sync as leader (`syncLeader === me`) may also go on when nobody is ahead of it.
 */
export function quorumVote(input: {
  readonly me: string;
  readonly myWal: number;
  readonly syncLeader: string | null;
  readonly voters: readonly string[];
  readonly quorum: number;
  readonly peers: readonly VoterPeer[];
}): QuorumVote {
  const votingSet = new Set([...input.voters, ...(input.syncLeader ? [input.syncLeader] : [])].map(lower));
  const me = lower(input.me);
  let votes = votingSet.has(me) ? 0 : -1;
  let ahead = 0;
  for (const p of input.peers) {
    if (lower(p.name) === me || !votingSet.has(lower(p.name)) || !p.reachable || !p.inRecovery || p.walPosition <= 0) continue;
    if (p.walPosition > input.myWal) ahead++;
    else votes++;
  }
  if (votes >= input.quorum) return { ok: true, votes, why: `got ${votes} quorum vote(s), ${input.quorum} needed` };
  if (ahead === 0 && input.syncLeader !== null && lower(input.syncLeader) === me) {
    return { ok: true, votes, why: 'the former leader, and nobody is ahead of it' };
  }
  return { ok: false, votes, why: `Quorum requirement ${input.quorum} can not be reached: ${Math.max(votes, 0)} vote(s)` };
}

/**
 * Before the leader steps down by choice: enough healthy members must remain for one of
 * them to reach the quorum (healthy candidates − 1 ≥ quorum), unless the request names
 * the member to take over.
 */
export function quorumAllowsFailover(healthyCandidates: number, quorum: number, candidateNamed: boolean): boolean {
  return candidateNamed || healthyCandidates - 1 >= quorum;
}
