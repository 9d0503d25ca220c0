/**
 * Standby clusters in the simulation (spec/ha.md §1.16): the real engine, with
 * standby_cluster written into /config at 60 s and removed at 140 s, under agent kills
 * and Postgres crashes. No member accepts writes while the cluster is a standby cluster,
 * the promoted cluster has one primary, and a primary that ignores the section is caught.
 */
import { describe, expect, it } from 'vitest';
import { engineAgent } from '../../sim/agents/engine-agent.js';
import { MUTATIONS } from '../../sim/mutation-suite.js';
import { formatFailure, runSimulation } from '../../sim/runner.js';
import { STANDBY_RUN, STANDBY_RUN_MS } from '../../sim/standby-phase.js';

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('simulation: a cluster turned into a standby cluster and promoted again', () => {
  it.each(SEEDS)('seed %i: no writer while standby, one primary after the promotion', async (seed) => {
    const r = await runSimulation({ seed, agent: engineAgent(), durationMs: STANDBY_RUN_MS, standby: STANDBY_RUN, faults: { kinds: ['kill-agent', 'crash-postgres'] } });
    if (!r.ok) expect.fail(formatFailure(r, `seed ${seed}`));
    const log = r.log.join('\n');
    // The lock holder ran as a standby leader (after a demote-cluster, or a restart when a fault had stopped it).
    expect(log).toMatch(/the standby leader with the lock|promoted self to a standby leader/);
    expect(log).toContain('standby_cluster removed from /config');
    // Writes were acknowledged after the promotion (the workload found a primary again).
    expect(r.stats.commitsAcked).toBeGreaterThan(0);
  });

  it('a primary that keeps writing in a standby cluster is caught (standby-writer)', async () => {
    const m = MUTATIONS['standby-keeps-writing'];
    let caught = null;
    for (let seed = 1; seed <= m.ciBudget && !caught; seed++) {
      const r = await runSimulation({ seed, ...m.setup('standby-keeps-writing') });
      if (r.violations[0]?.invariant === 'standby-writer') caught = r;
    }
    expect(caught, 'no seed caught the planted bug').not.toBeNull();
    expect(caught!.violations[0]!.message).toMatch(/accept writes .* after \/config made this a standby cluster/);
  });
});
