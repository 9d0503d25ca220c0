/**
 * Every planted bug (sim/planted-bugs.ts) is caught within its small fixed
 * seed budget by an invariant that witnesses it, and the catching seed is clean without
 * the bug. Prints the table bug → first seed → invariant. A bigger budget outside CI:
 * `node sim/dist/cli.js --mutations 200` (docs/simulation.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { formatMutationTable, MUTATIONS, runMutation, type MutationOutcome } from '../../sim/mutation-suite.js';
import type { PlantedBug } from '../../sim/planted-bugs.js';
import { PLANTED_BUGS } from '../../sim/planted-bugs.js';

const outcomes: MutationOutcome[] = [];

describe('the mutation suite: each planted bug is caught', () => {
  it('has a setup for every planted bug', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(PLANTED_BUGS).sort());
    expect(Object.keys(MUTATIONS).length).toBeGreaterThanOrEqual(6);
  });

  for (const bug of Object.keys(MUTATIONS) as PlantedBug[]) {
    it(`${bug} within ${MUTATIONS[bug].ciBudget} seeds`, async () => {
      const o = await runMutation(bug);
      outcomes.push(o);
      expect(o.seed, `${bug} survived seeds 1..${o.runs}; other violations: ${o.others.join(' ') || 'none'}`).not.toBeNull();
      expect(MUTATIONS[bug].witnesses).toContain(o.invariant);
      expect(o.cleanWithout, `seed ${o.seed} also fails without ${bug}: the setup, not the bug, is caught`).toBe(true);
    }, 120_000);
  }

  afterAll(() => {
    console.log(formatMutationTable(outcomes).join('\n'));
  });
});
