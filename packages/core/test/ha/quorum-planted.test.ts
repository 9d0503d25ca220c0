/**
 * The quorum planted bugs (sim/planted-bugs.ts) are caught by the simulation's
 * invariants (lost-commit, quorum-ack, quorum-sync-unsafe), and the catching seed is
 * clean with the bug removed: so the invariants watch what quorum commit promises.
 */
import { describe, expect, it } from 'vitest';
import { runMutation } from '../../sim/mutation-suite.js';

describe('simulation: planted quorum bugs are caught', () => {
  it.each(['quorum-promote-without-votes', 'quorum-lowered-too-far'] as const)('%s', async (bug) => {
    const o = await runMutation(bug);
    expect(o.seed, `${bug} survived ${o.runs} seeds (other violations: ${o.others.join(' ') || 'none'})`).not.toBeNull();
    expect(['lost-commit', 'quorum-ack', 'quorum-sync-unsafe']).toContain(o.invariant);
    expect(o.cleanWithout, `seed ${o.seed} also fails without ${bug}`).toBe(true);
    console.log(`${bug}: caught by seed ${o.seed} (${o.invariant}): ${o.message}`);
  }, 600_000);
});
