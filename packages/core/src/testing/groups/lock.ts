import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import { expectHeld, load, now } from '../harness.js';

/** The leader lock: create-if-absent, refresh, release, take (spec/dcs.md §1.4). */
export function lockGroup(kit: KitContext, test: KitTest): void {
  test('lock.race', 'lets exactly one of two racing members acquire the lock, 100 rounds in a row', async () => {
    const cluster = kit.cluster('race');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const wins = { a: 0, b: 0 };
    for (let round = 0; round < 100; round++) {
      const [ra, rb] = await Promise.all([a.dcs.acquireLeader(), b.dcs.acquireLeader()]);
      const held = [ra, rb].filter((r) => r.kind === 'held');
      expect(held, `round ${round}: ${ra.kind}/${rb.kind}`).toHaveLength(1);
      const loser = ra.kind === 'held' ? rb : ra;
      expect(loser).toMatchObject({ kind: 'lost', reason: 'held-by-other' });
      const winner = ra.kind === 'held' ? a : b;
      wins[winner.name as 'a' | 'b']++;
      expect(await winner.dcs.releaseLeader()).toEqual({ kind: 'released' });
    }
    expect(wins.a + wins.b).toBe(100);
  });

  test('lock.refresh-valid-until', 'keeps the lock on refresh, with validUntil measured from the send', async () => {
    const cluster = kit.cluster('refresh');
    const a = await cluster.member('a');
    expectHeld(await a.dcs.acquireLeader());
    const before = now();
    const refreshed = await a.dcs.refreshLeader(await load(a));
    const after = now();
    expectHeld(refreshed);
    const ttlMs = kit.settings.ttlSeconds * 1000;
    expect(refreshed.validUntil).toBeGreaterThan(after);
    if (!kit.capabilities.ttlNegotiated) {
      // Sent between `before` and `after`, so validUntil − ttl lies in that window.
      expect(refreshed.validUntil - ttlMs).toBeGreaterThanOrEqual(before - 1);
      expect(refreshed.validUntil - ttlMs).toBeLessThanOrEqual(after + 1);
    }
    expect((await load(a)).leader?.name).toBe('a');
  });

  test('lock.lost-to-other', 'reports lost, not held, once another member holds the lock', async () => {
    const cluster = kit.cluster('lost');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    const stale = await load(a);
    expect(await a.dcs.releaseLeader()).toEqual({ kind: 'released' });
    expectHeld(await b.dcs.acquireLeader());
    expect(await a.dcs.refreshLeader(stale)).toMatchObject({ kind: 'lost', reason: 'held-by-other' });
    expect(await a.dcs.refreshLeader(await load(a))).toMatchObject({ kind: 'lost' });
    expect((await load(b)).leader?.name).toBe('b');
  });

  test('lock.release-not-owner', 'refuses a release by a member that does not hold the lock', async () => {
    const cluster = kit.cluster('release');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    expect(await b.dcs.releaseLeader()).toEqual({ kind: 'not-owner' });
    expect((await load(b)).leader?.name).toBe('a');
    expect(await a.dcs.releaseLeader({ lastLsn: 42 })).toEqual({ kind: 'released' });
    const after = await load(b);
    expect(after.leader).toBeNull();
    expect(after.status.lastLsn).toBe(42);
  });

  test('lock.take', 'lets takeLeader claim the key, after which the former holder is lost', async () => {
    const cluster = kit.cluster('take');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    expectHeld(await b.dcs.takeLeader());
    const seen = await load(a);
    expect(seen.leader?.name).toBe('b');
    expect(await a.dcs.refreshLeader(seen)).toMatchObject({ kind: 'lost' });
  });

  test('lock.no-recreate', 'does not silently re-create a leader key that was deleted', async () => {
    const cluster = kit.cluster('deleted');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    const seen = await load(a);
    expect((await b.dcs.deleteCluster()).kind).toBe('written');
    expect(await a.dcs.refreshLeader(seen)).toMatchObject({ kind: 'lost', reason: 'not-held' });
    expect((await load(b)).leader).toBeNull();
  });
}
