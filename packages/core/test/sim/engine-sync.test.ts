/**
 * The CI run, part 3 of 4: synchronous_mode_strict. A commit is acknowledged only
 * once a /sync standby flushed it, and no such commit is lost across any failover.
 */
import { describe, expect, it } from 'vitest';
import { CI_SETS, runSeeds } from './seeds.js';

describe('HA engine under faults, synchronous_mode_strict', () => {
  it(`loses no acknowledged synchronous commit over seeds ${CI_SETS.strictA.from}..+${CI_SETS.strictA.count}`, async () => {
    const { from, count, options, flag } = CI_SETS.strictA;
    const { syncAcked } = await runSeeds(from, count, options, flag);
    expect(syncAcked).toBeGreaterThan(count * 20);
  }, 600_000);
});
