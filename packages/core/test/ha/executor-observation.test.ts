/**
 * The member key of a cycle whose actions left Postgres alone is built from the
 * observation the loop took at the start of that cycle (one monitoring query per idle
 * cycle); a cycle that acted on Postgres — a promotion launched, a restart, a reload —
 * asks Postgres again, so the key never publishes what it was before the action.
 */
import { describe, expect, it } from 'vitest';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

describe('the observation behind the member key', () => {
  it('an idle cycle lets the cycle\'s own observation serve; the cycle that promotes asks again', async () => {
    const w = world();
    const [p1, p2] = [new FakePostgres('n1', { role: 'primary' }), new FakePostgres('n2')];
    const [n1, n2] = [w.node('n1', p1), w.node('n2', p2)];
    for (const n of [n1, n2, n1]) {
      await w.step(n);
      await w.clock.advance(10_000);
    }

    // Idle: the loop's query (no reuse asked), then the member key's, which may reuse it.
    p1.observeSince.length = 0;
    expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
    expect(p1.observeSince).toHaveLength(2);
    expect(p1.observeSince[0]).toBeNull();
    // Nothing older than the cycle: only what was asked after the previous execution ended,
    // at most one loop_wait ago.
    expect(p1.observeSince[1]).not.toBeNull();
    expect(w.clock.now() - p1.observeSince[1]!).toBeLessThanOrEqual(10_000 + 1_000);

    // n1 goes away; n2's promoting cycle launches the promotion: its member key asks afresh.
    p1.running = false;
    w.reachable.delete('n1');
    await w.clock.advance(31_000);
    p2.observeSince.length = 0;
    expect((await w.step(n2)).message).toBe('promoted self to leader by acquiring session lock');
    expect(p2.calls).toContain('promote');
    // The loop's query; n2's member key had expired, so the cycle re-publishes it before
    // racing (that one may reuse the fresh observation); the closing touch, after the
    // promotion was launched, must not.
    expect(p2.observeSince.length).toBeGreaterThanOrEqual(2);
    expect(p2.observeSince.at(-1)).toBeNull();
    expect(JSON.parse(w.server.get(w.layout.member('n2'))!.value)).toMatchObject({ role: 'primary' });
  });

  it('a cycle that stops Postgres asks again for the member key', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary' });
    const n1 = w.node('n1', p1);
    await w.step(n1);
    await w.clock.advance(10_000);
    await w.step(n1);
    // The lock is gone behind n1's back: n1 must demote (stop Postgres) in the next cycle.
    w.server.deleteKey(w.layout.key('leader'));
    w.server.put(w.layout.key('leader'), 'n9');
    await w.clock.advance(10_000);
    p1.observeSince.length = 0;
    await w.step(n1);
    expect(p1.calls.some((c) => c.startsWith('stop:'))).toBe(true);
    expect(p1.observeSince.every((since) => since === null)).toBe(true);
  });
});
