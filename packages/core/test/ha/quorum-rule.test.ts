/**
 * The quorum step rule (decide/quorum-rule.ts): decision tables for the usual changes,
 * then a randomized walk that judges every write with a brute-force oracle of its own
 * (every possible set of acknowledging standbys against every possible set of voters a
 * candidate may see) and checks that the target is reached once things settle.
 */
import { describe, expect, it } from 'vitest';
import { planQuorumSteps, stepsForThisCycle, type QuorumInputs, type QuorumStep } from '../../src/ha/decide/quorum-rule.js';
import { seededRandom } from '../../src/index.js';

const base = (p: Partial<QuorumInputs>): QuorumInputs => ({
  me: 'n0',
  syncLeader: 'n0',
  quorum: 0,
  voters: [],
  ssn: { num: 0, names: [], any: true },
  confirmed: [],
  active: [],
  wanted: 1,
  strict: false,
  ...p,
});
const any = (num: number, ...names: string[]) => ({ num, names, any: true });
const show = (steps: readonly QuorumStep[]): string[] =>
  steps.map((s) => (s.kind === 'ssn' ? (s.names.length ? `ssn ANY ${s.num} (${s.names.join(',')})` : 'ssn none') : `/sync ${s.leader} q=${s.quorum} [${s.voters.join(',')}]`));

describe('planQuorumSteps: decision table', () => {
  const steady3 = { voters: ['a', 'b', 'c'], ssn: any(1, 'a', 'b', 'c'), confirmed: ['a', 'b', 'c'], active: ['a', 'b', 'c'] };
  it.each<[string, Partial<QuorumInputs>, string[]]>([
    ['enabling: /sync names only the leader', { syncLeader: null, active: ['a', 'b'] }, ['/sync n0 q=0 []']],
    ['first standbys: ssn first, /sync once they confirm', { active: ['a', 'b'] }, ['ssn ANY 1 (a,b)', '/sync n0 q=1 [a,b]']],
    ['listed, nobody confirmed yet: wait', { active: ['a', 'b'], ssn: any(1, 'a', 'b') }, []],
    ['listed, one confirmed: /sync', { active: ['a', 'b'], ssn: any(1, 'a', 'b'), confirmed: ['a'] }, ['/sync n0 q=1 [a,b]']],
    ['steady: nothing', { quorum: 2, ...steady3 }, []],
    ['a member joins: /sync (voter, quorum+1) first, then ssn', { quorum: 1, voters: ['a', 'b'], ssn: any(1, 'a', 'b'), confirmed: ['a', 'b'], active: ['a', 'b', 'c'] }, ['/sync n0 q=2 [a,b,c]', 'ssn ANY 1 (a,b,c)']],
    ['a member leaves: ssn first, then /sync', { quorum: 2, ...steady3, active: ['a', 'b'] }, ['ssn ANY 1 (a,b)', '/sync n0 q=1 [a,b]']],
    ['last member leaves: /sync emptied, then ssn', { quorum: 0, voters: ['a'], ssn: any(1, 'a'), confirmed: ['a'] }, ['/sync n0 q=0 []', 'ssn none']],
    ['synchronous_node_count 1 → 2: ssn up first, then quorum down', { quorum: 2, ...steady3, wanted: 2 }, ['ssn ANY 2 (a,b,c)', '/sync n0 q=1 [a,b,c]']],
    ['synchronous_node_count 2 → 1: quorum up first, then ssn down', { quorum: 1, ...steady3, ssn: any(2, 'a', 'b', 'c') }, ['/sync n0 q=2 [a,b,c]', 'ssn ANY 1 (a,b,c)']],
    ['synchronous_node_count 1 → 3', { quorum: 2, ...steady3, wanted: 3 }, ['ssn ANY 3 (a,b,c)', '/sync n0 q=0 [a,b,c]']],
    ['synchronous_node_count above the members: all of them', { quorum: 1, voters: ['a', 'b'], ssn: any(1, 'a', 'b'), confirmed: ['a', 'b'], active: ['a', 'b'], wanted: 5 }, ['ssn ANY 2 (a,b)', '/sync n0 q=0 [a,b]']],
    ['all must acknowledge and one dies: it stops voting first', { quorum: 0, ...steady3, ssn: any(3, 'a', 'b', 'c'), confirmed: ['a', 'b'], active: ['a', 'b'], wanted: 3 }, ['/sync n0 q=0 [a,b]', 'ssn ANY 2 (a,b)']],
    ['a joins while b leaves', { quorum: 1, voters: ['b', 'c'], ssn: any(1, 'b', 'c'), confirmed: ['b', 'c'], active: ['a', 'c'] }, ['/sync n0 q=2 [a,b,c]', 'ssn ANY 1 (a,c)', '/sync n0 q=1 [a,c]']],
    ['FIRST written by sync mode: rewritten as ANY', { quorum: 0, voters: ['a'], ssn: { num: 1, names: ['a'], any: false }, confirmed: ['a'], active: ['a'] }, ['ssn ANY 1 (a)']],
    ['names compare case-insensitively', { quorum: 1, voters: ['A', 'b'], ssn: any(1, 'a', 'B'), confirmed: ['a', 'b'], active: ['a', 'b'] }, []],
    ['a new leader takes /sync over, the former leader votes', { me: 'a', syncLeader: 'n0', quorum: 1, voters: ['a', 'b'], ssn: any(1, 'b', 'n0'), active: [] }, ['/sync a q=1 [b,n0]']],
    ['a new leader whose ssn does not back /sync yet: ssn first', { me: 'a', syncLeader: 'n0', quorum: 1, voters: ['a', 'b'], ssn: any(0) }, ['ssn ANY 1 (b,n0)']],
    ['strict, nobody streaming: commits keep waiting for the voters', { strict: true, quorum: 1, voters: ['a', 'b'], ssn: any(1, 'a') }, ['ssn ANY 1 (a,b)']],
    ['strict, no voters either: any standby', { strict: true, quorum: 0, voters: [], ssn: any(0) }, ['ssn ANY 1 (*)']],
  ])('%s', (_name, p, expected) => {
    expect(show(planQuorumSteps(base(p)))).toEqual(expected);
  });

  it('a cycle runs the steps up to and including the first ssn change', () => {
    const steps = planQuorumSteps(base({ quorum: 1, voters: ['b', 'c'], ssn: any(1, 'b', 'c'), confirmed: ['b', 'c'], active: ['a', 'c'] }));
    expect(show(stepsForThisCycle(steps))).toEqual(['/sync n0 q=2 [a,b,c]', 'ssn ANY 1 (a,c)']);
  });
});

// ---- the oracle -------------------------------------------------------------------------

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [head, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [head!, ...s]), ...subsets(rest, size)];
}

/** Commits acknowledged under `ANY num (names)` are on some `num` of `names` (plus the leader). */
interface AckRule {
  readonly names: readonly string[];
  readonly num: number;
}

/** With the leader gone, may q+1 voters that all lack some acknowledged commit be found? */
function commitMayBeLost(voters: readonly string[], quorum: number, acks: readonly AckRule[]): boolean {
  if (voters.length === 0) return false;
  for (const rule of acks) {
    if (rule.num === 0) return true; // acknowledged by the leader alone while voters exist
    for (const holders of subsets(rule.names, Math.min(rule.num, rule.names.length))) {
      for (const seen of subsets(voters, quorum + 1)) if (seen.every((v) => !holders.includes(v))) return true;
    }
  }
  return false;
}

describe('planQuorumSteps: every write is safe, and it converges (randomized walk)', () => {
  const universe = ['a', 'b', 'c', 'd'];
  it('2,000 walks over 4 standbys, members and synchronous_node_count changing', () => {
    const random = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let writes = 0;
    for (let walk = 0; walk < 2000; walk++) {
      let active = universe.filter(() => random() < 0.6);
      let wanted = pick([1, 2, 3]);
      // Start at the target for the first membership.
      let voters = [...active];
      let num = Math.min(wanted, active.length);
      let quorum = active.length - num;
      let sync = [...active];
      // Every commit so far: on all of them (the start is settled).
      let acks: AckRule[] = [{ names: sync, num }];
      let changedThisCycle = false;
      for (let cycle = 0; cycle < 14; cycle++) {
        const settling = cycle >= 6;
        if (!settling && random() < 0.5) active = universe.filter(() => random() < 0.6);
        if (!settling && random() < 0.2) wanted = pick([1, 2, 3]);
        // A cycle right after an ssn change has no confirmations yet; the next one sees the
        // streaming standbys caught up with the moment of the change.
        const confirmed = changedThisCycle ? [] : sync.filter((s) => active.includes(s));
        if (!changedThisCycle && confirmed.length) acks = [{ names: confirmed, num: confirmed.length }, { names: sync, num }];
        changedThisCycle = false;
        const steps = stepsForThisCycle(
          planQuorumSteps(base({ quorum, voters, ssn: any(num, ...sync), confirmed, active, wanted })),
        );
        for (const step of steps) {
          writes++;
          if (step.kind === 'sync') {
            const lost = commitMayBeLost(step.voters, step.quorum, acks);
            if (lost) throw new Error(`unsafe /sync q=${step.quorum} [${step.voters}] with acks ${JSON.stringify(acks)}`);
            voters = [...step.voters];
            quorum = step.quorum;
          } else {
            sync = [...step.names];
            num = step.num;
            acks = [...acks, { names: sync, num }];
            const lost = commitMayBeLost(voters, quorum, [{ names: sync, num }]);
            if (lost) throw new Error(`unsafe ssn ANY ${num} (${sync}) with /sync q=${quorum} [${voters}]`);
            changedThisCycle = true;
          }
        }
      }
      const n = Math.min(wanted, active.length);
      expect({ voters: [...voters].sort(), quorum, sync: [...sync].sort(), num }).toEqual({ voters: [...active].sort(), quorum: active.length - n, sync: [...active].sort(), num: n });
    }
    expect(writes).toBeGreaterThan(2000);
  });
});
