/**
 * Quorum commit: the rule that keeps `/sync` and synchronous_standby_names safe while
 * either changes (docs/quorum-commit.md).
 *
 * Two "k of a set" statements describe the cluster at any instant:
 * - synchronous_standby_names = `ANY n (S)`: a commit returns once the leader and any `n`
 *   standbys of S have it;
 * - `/sync` = `{leader, quorum: q, sync_standby: V}`: a node may promote once it has seen
 *   `q + 1` nodes of V ∪ {leader} (itself included when it is one of them) and none of
 *   them is ahead of it.
 *
 * No acknowledged commit is lost when every set of `q + 1` voters meets every set of `n`
 * acknowledging standbys, that is when |V ∪ S| ≤ q + n. Commits acknowledged before
 * synchronous_standby_names took its current value are only known to be on the standbys
 * that have since reached the primary's WAL position of that moment (`confirmed`), so a
 * new `/sync` must also leave at most `q` voters outside that set.
 *
 * The leader moves from the state it reads to the target one write at a time, each
 * write keeping both conditions: the shortest such sequence is searched over a handful
 * of candidate sets. Raising n or q always comes before lowering the other, which is
 * what the search finds, since the opposite order breaks the condition in between.
 */

/** Names compare case-insensitively, as Postgres compares application names. */
export type NameSet = ReadonlyMap<string, string>;

export interface QuorumInputs {
  /** This node, the primary. */
  readonly me: string;
  /** `/sync` as read: leader (null when empty), quorum, voters. */
  readonly syncLeader: string | null;
  readonly quorum: number;
  readonly voters: readonly string[];
  /** The live synchronous_standby_names: `num` of `names`; `any` false for FIRST / plain lists. */
  readonly ssn: { readonly num: number; readonly names: readonly string[]; readonly any: boolean };
  /** Standbys of `ssn.names` known to hold every commit acknowledged before it took its value. */
  readonly confirmed: readonly string[];
  /** Standbys eligible to be synchronous now (streaming, running, not nosync, within lag). */
  readonly active: readonly string[];
  /** synchronous_node_count. */
  readonly wanted: number;
  readonly strict: boolean;
}

export type QuorumStep =
  /** Write `/sync` (CAS). */
  | { readonly kind: 'sync'; readonly leader: string; readonly quorum: number; readonly voters: readonly string[] }
  /** Set synchronous_standby_names to `ANY num (names)` (empty: none; `*`: any standby). */
  | { readonly kind: 'ssn'; readonly num: number; readonly names: readonly string[] };

const STAR = '*';

export function nameSet(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) if (n && !out.has(n.toLowerCase())) out.set(n.toLowerCase(), n);
  return out;
}

const union = (a: NameSet, b: NameSet): Map<string, string> => nameSet([...a.values(), ...b.values()]);
const inter = (a: NameSet, b: NameSet): Map<string, string> => nameSet([...a.entries()].filter(([k]) => b.has(k)).map(([, v]) => v));
const minus = (a: NameSet, b: NameSet): Map<string, string> => nameSet([...a.entries()].filter(([k]) => !b.has(k)).map(([, v]) => v));
const sameSet = (a: NameSet, b: NameSet): boolean => a.size === b.size && [...a.keys()].every((k) => b.has(k));
const sorted = (a: NameSet): string[] => [...a.values()].sort();
const key = (a: NameSet): string => [...a.keys()].sort().join(',');

/**
 * May `/sync` say (voters, quorum) while synchronous_standby_names is `ANY num (sync)` and
 * `confirmed` hold every older acknowledged commit? Empty voters are always safe: only the
 * leader itself (or a node that sees it alive and not ahead) may then promote.
 */
export function syncWriteSafe(voters: NameSet, quorum: number, sync: NameSet, num: number, confirmed: NameSet): boolean {
  if (voters.size === 0) return quorum === 0;
  if (quorum < 0 || quorum > voters.size - 1) return false;
  return union(voters, sync).size <= quorum + Math.min(num, sync.size) && minus(voters, confirmed).size <= quorum;
}

/** May synchronous_standby_names become `ANY num (sync)` while `/sync` says (voters, quorum)? */
export function ssnChangeSafe(voters: NameSet, quorum: number, sync: NameSet, num: number): boolean {
  if (num < 0 || num > sync.size || (sync.size > 0 && num === 0)) return false;
  if (voters.size === 0) return true;
  return union(voters, sync).size <= quorum + num;
}

interface State {
  readonly voters: NameSet;
  readonly quorum: number;
  readonly sync: NameSet;
  readonly num: number;
  readonly confirmed: NameSet;
}

const stateKey = (s: State): string => `${key(s.voters)}|${s.quorum}|${key(s.sync)}|${s.num}|${key(s.confirmed)}`;

/** Where the leader heads: every active standby both votes and may acknowledge. */
export function quorumTarget(active: NameSet, wanted: number): { voters: NameSet; quorum: number; sync: NameSet; num: number } {
  const num = Math.min(Math.max(wanted, 1), active.size);
  return { voters: active, quorum: active.size - num, sync: active, num };
}

const MAX_STEPS = 5;

/**
 * The ordered writes from the current state to the target, each safe (see above); empty
 * when already there or when no safe sequence exists yet (e.g. standbys that still have
 * to confirm). The leader applies them up to and including the first
 * synchronous_standby_names change (`stepsForThisCycle`), then looks again.
 */
export function planQuorumSteps(inp: QuorumInputs): QuorumStep[] {
  const me = inp.me.toLowerCase();
  const notMe = (names: readonly string[]): Map<string, string> => nameSet(names.filter((n) => n.toLowerCase() !== me));
  const voters = notMe(inp.voters);
  const active = notMe(inp.active.filter((n) => n !== STAR));
  const sync = notMe(inp.ssn.names);
  const num = Math.min(inp.ssn.num, sync.size);
  const confirmed = inter(notMe(inp.confirmed), sync);

  // A new leader first takes /sync over: the former leader becomes a voter, the quorum stays.
  if (!inp.syncLeader || inp.syncLeader.toLowerCase() !== me) {
    const next = inp.syncLeader ? minus(union(voters, nameSet([inp.syncLeader])), nameSet([inp.me])) : new Map<string, string>();
    const q = next.size ? Math.min(inp.quorum, next.size - 1) : 0;
    const take: QuorumStep = { kind: 'sync', leader: inp.me, quorum: q, voters: sorted(next) };
    // Commits of the former leader are on q + 1 of V ∪ {former leader}, which the new voters
    // still are; ours must reach the new voters through synchronous_standby_names.
    if (syncWriteSafe(next, q, sync, num, sync)) return [take];
    // Not yet backed by synchronous_standby_names: make every new voter needed first.
    return [{ kind: 'ssn', num: Math.max(1, next.size - q), names: sorted(next) }];
  }

  if (inp.strict && active.size === 0) {
    // No standby to name: keep commits waiting for the known voters (or for any standby).
    const want = voters.size ? { num: Math.max(1, voters.size - inp.quorum), names: voters } : { num: 1, names: nameSet([STAR]) };
    if (sameSet(want.names, sync) && want.num === num && inp.ssn.any === voters.size > 0) return [];
    return [{ kind: 'ssn', num: want.num, names: sorted(want.names) }];
  }

  const target = quorumTarget(active, inp.wanted);
  const start: State = { voters, quorum: voters.size ? inp.quorum : 0, sync, num, confirmed };
  const path = search(start, target, active, inp.me);
  if (path.length === 0 && sync.size > 0 && !inp.ssn.any && !sync.has(STAR)) {
    // Same standbys, written the quorum way (ANY) instead of FIRST.
    return [{ kind: 'ssn', num, names: sorted(sync) }];
  }
  return path;
}

/** The steps to run now: up to and including the first synchronous_standby_names change. */
export function stepsForThisCycle(steps: readonly QuorumStep[]): QuorumStep[] {
  const i = steps.findIndex((s) => s.kind === 'ssn');
  return i < 0 ? [...steps] : steps.slice(0, i + 1);
}

/** Breadth-first: the shortest list of safe single writes reaching the target. */
function search(start: State, target: ReturnType<typeof quorumTarget>, active: NameSet, leader: string): QuorumStep[] {
  const atTarget = (s: State): boolean =>
    sameSet(s.voters, target.voters) && s.quorum === target.quorum && sameSet(s.sync, target.sync) && s.num === target.num;
  if (atTarget(start)) return [];
  const seen = new Set([stateKey(start)]);
  let frontier: { state: State; steps: QuorumStep[] }[] = [{ state: start, steps: [] }];
  for (let depth = 0; depth < MAX_STEPS && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { state, steps } of frontier) {
      for (const [step, after] of moves(state, target, active, leader)) {
        const k = stateKey(after);
        if (seen.has(k)) continue;
        seen.add(k);
        const path = [...steps, step];
        if (atTarget(after)) return path;
        next.push({ state: after, steps: path });
      }
    }
    frontier = next;
  }
  return [];
}

/** Candidate single writes from `s`, safe ones only, in a fixed order (so plans are stable). */
function* moves(s: State, target: ReturnType<typeof quorumTarget>, active: NameSet, leader: string): Generator<[QuorumStep, State]> {
  const plain = (a: NameSet): Map<string, string> => minus(a, nameSet([STAR]));
  const families = new Map<string, NameSet>();
  for (const set of [target.voters, s.voters, plain(s.sync), union(s.voters, target.voters), inter(s.voters, target.voters), union(plain(s.sync), target.voters), inter(plain(s.sync), target.voters)]) {
    if (!families.has(key(set))) families.set(key(set), set);
  }
  const sets = [...families.values()];
  for (const v of sets) {
    // Emptying the voters is safe but leaves no one to promote: only when the target is empty.
    if (v.size === 0 && target.voters.size > 0) continue;
    for (const q of quorumValues(v, target, s)) {
      if (sameSet(v, s.voters) && q === s.quorum) continue;
      if (!syncWriteSafe(v, q, s.sync, s.num, s.confirmed)) continue;
      yield [{ kind: 'sync', leader, quorum: q, voters: sorted(v) }, { ...s, voters: v, quorum: q }];
    }
  }
  // A standby that stays wanted is never dropped from synchronous_standby_names on the way.
  const keep = inter(inter(s.sync, active), target.sync);
  for (const set of sets) {
    if (minus(keep, set).size > 0) continue;
    for (const n of set.size ? range(1, set.size) : [0]) {
      if (sameSet(set, s.sync) && n === s.num) continue;
      if (!ssnChangeSafe(s.voters, s.quorum, set, n)) continue;
      // For planning: standbys added and streaming are expected to confirm, confirmed ones
      // to stay so; one that has not confirmed yet is not assumed to by a mere rewrite.
      const confirmed = inter(union(s.confirmed, minus(set, s.sync)), inter(set, active));
      yield [{ kind: 'ssn', num: n, names: sorted(set) }, { ...s, sync: set, num: n, confirmed }];
    }
  }
}

/** Target quorum first, then the others from high to low (higher is the safer way round). */
function quorumValues(v: NameSet, target: ReturnType<typeof quorumTarget>, s: State): number[] {
  if (v.size === 0) return [0];
  const all = range(0, v.size - 1).reverse();
  const first = [target.quorum, s.quorum].filter((q) => q <= v.size - 1);
  return [...new Set([...first, ...all])];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
