/**
 * The post-promote CHECKPOINT runs beside the loop, and a former primary waits for the
 * new leader's member key to drop `checkpoint_after_promote: false` before it rewinds.
 * A checkpoint that ends while the cycle that launched it is still running (fsync off,
 * a small database) once lost the merge against that cycle's own needed → running change:
 * the key said `false` for ever and the old primary never rejoined (fencing e2e, issue #8).
 */
import { describe, expect, it } from 'vitest';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

describe('HaLoop: checkpoint after promote', () => {
  it('a checkpoint that finishes within its own cycle is published as done', async () => {
    const w = world();
    const pg = new FakePostgres('n1', { empty: true });
    const n1 = w.node('n1', pg);
    await w.step(n1); // bootstrap
    await w.step(n1); // post_bootstrap
    await w.step(n1); // initialized: the checkpoint is owed
    expect(JSON.parse(w.server.get(w.layout.member('n1'))!.value)).toMatchObject({ checkpoint_after_promote: false });
    await w.step(n1); // launches it; the fake answers at once, inside this cycle
    expect(pg.calls.filter((c) => c === 'checkpoint')).toHaveLength(1);
    await w.step(n1);
    expect(JSON.parse(w.server.get(w.layout.member('n1'))!.value)).not.toHaveProperty('checkpoint_after_promote');
    await w.step(n1);
    expect(pg.calls.filter((c) => c === 'checkpoint')).toHaveLength(1);
  });
});
