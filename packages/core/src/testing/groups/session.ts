import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import { expectHeld, load, sleep, waitFor } from '../harness.js';

/**
 * A member whose session ends (lease lapsed, ZooKeeper session expired) is told `lost`
 * — never `held` — and recovers with a new session on its next calls.
 */
export function sessionGroup(kit: KitContext, test: KitTest): void {
  test('session.lost-and-recovered', 'reports the lock lost after the session ends, then recovers with a new session', async () => {
    const cluster = kit.cluster('session');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    await a.dcs.touchMember({ state: 'running' });
    const target = kit.target();
    if (target.expireSession) {
      await target.expireSession(a.client);
    } else if (kit.capabilities.liveness === 'loop') {
      await sleep(kit.settings.ttlSeconds * 1000 + 1500); // no refresh: the lease lapses
    } else {
      throw new Error('a backend whose client keeps its own session alive must provide expireSession()');
    }
    await waitFor('the expired leader key to vanish', async () => ((await load(b)).leader === null ? true : undefined), 10_000);
    const refreshed = await a.dcs.refreshLeader(await load(a));
    expect(refreshed.kind).not.toBe('held');
    // Recovery: the same adapter opens a new session on its next calls.
    const touched = await waitFor(
      'the member key to be written again',
      async () => ((await a.dcs.touchMember({ state: 'running' })).kind === 'written' ? true : undefined),
      10_000,
      200,
    );
    expect(touched).toBe(true);
    expectHeld(await a.dcs.acquireLeader());
    const seen = await load(b);
    expect(seen.leader?.name).toBe('a');
    expect(seen.members.map((m) => m.name)).toContain('a');
    expectHeld(await a.dcs.refreshLeader(seen));
  });
}
