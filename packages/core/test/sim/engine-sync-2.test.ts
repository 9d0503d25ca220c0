/** The CI run, part 4 of 4: more strict seeds, and synchronous_mode without strict. */
import { describe, expect, it } from 'vitest';
import { CI_SETS, runSeeds } from './seeds.js';

describe('HA engine under faults, synchronous_mode (part 2)', () => {
  it(`strict: seeds ${CI_SETS.strictB.from}..+${CI_SETS.strictB.count}`, async () => {
    const { from, count, options, flag } = CI_SETS.strictB;
    await runSeeds(from, count, options, flag);
  }, 600_000);

  it(`not strict: seeds ${CI_SETS.sync.from}..+${CI_SETS.sync.count}`, async () => {
    const { from, count, options, flag } = CI_SETS.sync;
    const { syncAcked } = await runSeeds(from, count, options, flag);
    expect(syncAcked).toBeGreaterThan(count * 20);
  }, 600_000);
});
