/** The CI run, part 2 of 4: more asynchronous seeds (see CI_SETS in seeds.ts). */
import { describe, it } from 'vitest';
import { CI_SETS, runSeeds } from './seeds.js';

describe('HA engine under faults (asynchronous replication, part 2)', () => {
  it(`keeps every invariant over seeds ${CI_SETS.asyncB.from}..+${CI_SETS.asyncB.count}`, async () => {
    const { from, count, options, flag } = CI_SETS.asyncB;
    await runSeeds(from, count, options, flag);
  }, 600_000);
});
