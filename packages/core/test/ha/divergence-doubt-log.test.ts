/**
 * A replica stuck on another timeline than the leader's checks whether it diverged. When
 * the check cannot tell (the leader refuses the replication connection, say), the node
 * waits and checks again next cycle: one warning says why, not one per cycle.
 */
import { describe, expect, it } from 'vitest';
import { fail, MemoryLogger } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

describe('a divergence check that cannot tell', () => {
  it('is logged once with its cause, and again only when the cause changes', async () => {
    const logger = new MemoryLogger();
    const w = world({ dcsConfig: { postgresql: { use_pg_rewind: true } }, logger });
    const p2 = new FakePostgres('n2', { role: 'primary' });
    p2.timeline = 2;
    const p1 = new FakePostgres('n1');
    let cause = 'replication connection to n2 failed: connection refused';
    p1.checkDivergence = async () => fail('connection-failed', cause);
    const [n1, n2] = [w.node('n1', p1), w.node('n2', p2)];
    await w.step(n2);
    await w.step(n1); // follows n2
    // Its walreceiver gives up: timeline 1 is not in n2's history.
    p1.upstream = null;
    const doubts = () => logger.messages('warn').filter((m) => m.includes('diverged'));
    for (let i = 0; i < 3; i++) {
      await w.clock.advance(10_000);
      await w.step(n2);
      await w.step(n1);
    }
    expect(doubts()).toEqual([`Cannot tell whether this node diverged from leader n2: ${cause}`]);
    cause = 'replication connection to n2 failed: timeout';
    await w.clock.advance(10_000);
    await w.step(n1);
    expect(doubts()).toHaveLength(2);
    expect(p1.calls).not.toContain('rewind');
  });
});
