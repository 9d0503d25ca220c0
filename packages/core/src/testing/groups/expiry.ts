import { expect, it } from 'vitest';
import type { KitContext } from '../context.js';
import { expectHeld, load, now, waitFor } from '../harness.js';

/** How far before validUntil a key may vanish: clock reads and polling, not the server. */
const EARLY_TOLERANCE_MS = 250;

/**
 * A member that stops talking (frozen, killed) loses its keys by TTL alone: never
 * before the validUntil it was promised, never much after the TTL.
 */
export function expiryGroup(kit: KitContext): void {
  it('removes an abandoned member\'s keys no earlier than validUntil and no later than ttl + 1 s', async () => {
    const cluster = kit.cluster('expiry');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    expect((await a.dcs.touchMember({ state: 'running', role: 'primary' })).kind).toBe('written');
    const sentBefore = now();
    const refreshed = await a.dcs.refreshLeader(await load(a));
    expectHeld(refreshed);
    const grantedMs = refreshed.validUntil - sentBefore; // an upper bound on the TTL granted
    await a.client.abandon();
    const abandonedAt = now();

    const goneAt = await waitFor(
      'the abandoned leader key to expire',
      async () => ((await load(b)).leader === null ? now() : undefined),
      grantedMs + 10_000,
    );
    expect(goneAt).toBeGreaterThanOrEqual(refreshed.validUntil - EARLY_TOLERANCE_MS);
    expect(goneAt).toBeLessThanOrEqual(abandonedAt + grantedMs + 1000);
    // Member and leader share one session: the member key went with it.
    expect((await load(b)).members.map((m) => m.name)).not.toContain('a');
    expectHeld(await b.dcs.acquireLeader());
  });

  it('keeps the keys of a member that keeps refreshing, well past the TTL', async () => {
    const cluster = kit.cluster('kept');
    const a = await cluster.member('a');
    expectHeld(await a.dcs.acquireLeader());
    await a.dcs.touchMember({ state: 'running' });
    const until = now() + kit.settings.ttlSeconds * 2000 + 500;
    while (now() < until) {
      expectHeld(await a.dcs.refreshLeader(await load(a)));
      await a.dcs.touchMember({ state: 'running' });
      await new Promise((r) => setTimeout(r, (kit.settings.ttlSeconds * 1000) / 4));
    }
    const seen = await load(a);
    expect(seen.leader?.name).toBe('a');
    expect(seen.members.map((m) => m.name)).toEqual(['a']);
  });
}
