import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { KitContext } from '../context.js';
import { expectHeld, load, now, sleep, waitFor } from '../harness.js';

/** How far before validUntil a key may vanish: clock reads and polling, not the server. */
const EARLY_TOLERANCE_MS = 250;

/**
 * A member that stops talking (frozen, killed) loses its keys by TTL alone: never
 * before the validUntil it was promised, never much after the TTL.
 */
export function expiryGroup(kit: KitContext, test: KitTest): void {
  test('expiry.abandoned', 'removes an abandoned member\'s keys no earlier than validUntil and no later than ttl + 1 s', async () => {
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

  test('expiry.refreshed-kept', 'keeps the keys of a member that keeps refreshing, well past the TTL', async () => {
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

  test('expiry.touch-renews', 'keeps the member key of a replica that only touches it, unchanged, well past the TTL', async () => {
    const cluster = kit.cluster('touch');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    // The same value every time: an adapter may skip the write, but never the renewal.
    const data = { state: 'running', role: 'replica' };
    expect((await a.dcs.touchMember(data)).kind).toBe('written');
    const until = now() + kit.settings.ttlSeconds * 2000 + 500;
    while (now() < until) {
      await sleep((kit.settings.ttlSeconds * 1000) / 4);
      expect((await a.dcs.touchMember(data)).kind).toBe('written');
      expect((await load(b)).members.map((m) => m.name), 'the touched member key vanished').toContain('a');
    }
  });

  test('expiry.ttl-change', 'follows a ttl change from the next refresh, and validUntil still holds', async () => {
    const cluster = kit.cluster('ttl-change');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    expectHeld(await a.dcs.acquireLeader());
    const { ttlSeconds, loopWaitSeconds, retryTimeoutSeconds } = kit.settings;
    const newTtl = ttlSeconds + 2;
    a.dcs.setTiming({ ttl: newTtl, loopWait: loopWaitSeconds, retryTimeout: retryTimeoutSeconds });
    const before = now();
    const refreshed = await a.dcs.refreshLeader(await load(a));
    const after = now();
    expectHeld(refreshed);
    if (!kit.capabilities.ttlNegotiated) {
      // setTtl is optional: without it the adapter keeps the ttl it was created with.
      const inForceMs = (a.client.adapter.setTtl ? newTtl : ttlSeconds) * 1000;
      expect(refreshed.validUntil - inForceMs).toBeGreaterThanOrEqual(before - 1);
      expect(refreshed.validUntil - inForceMs).toBeLessThanOrEqual(after + 1);
    }
    await a.client.abandon();
    const goneAt = await waitFor(
      'the abandoned leader key to expire',
      async () => ((await load(b)).leader === null ? now() : undefined),
      newTtl * 1000 + 10_000,
    );
    expect(goneAt, 'the leader key vanished before the validUntil its last refresh promised').toBeGreaterThanOrEqual(refreshed.validUntil - EARLY_TOLERANCE_MS);
  });
}
