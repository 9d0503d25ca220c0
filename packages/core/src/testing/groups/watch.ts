import { expect } from 'vitest';
import type { KitTest } from '../case.js';
import type { DcsWatchEvent } from '../../dcs/adapter.js';
import type { KitContext } from '../context.js';
import { expectHeld, now, sleep, waitFor } from '../harness.js';

const WAKE_WITHIN_MS = 1000;

/** Replicas sleep on the watch: a leader change must wake them within a second. */
export function watchGroup(kit: KitContext, test: KitTest): void {
  test('watch.leader', 'wakes a watcher within 1 s of the leader key being created, deleted and replaced', async () => {
    const cluster = kit.cluster('watch');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const events: { at: number; event: DcsWatchEvent }[] = [];
    const stop = b.dcs.onChange((event) => events.push({ at: now(), event }));
    try {
      await sleep(300); // let the watch establish
      const expectWake = async (type: DcsWatchEvent['type'], act: () => Promise<unknown>): Promise<void> => {
        const seen = events.length;
        const start = now();
        await act();
        const hit = await waitFor(
          `a '${type}' event on the leader key`,
          async () => events.slice(seen).find((e) => e.event.key === 'leader' && e.event.type === type),
          5000,
          20,
        );
        expect(hit.at - start).toBeLessThanOrEqual(WAKE_WITHIN_MS);
      };
      await expectWake('put', async () => expectHeld(await a.dcs.acquireLeader()));
      await expectWake('delete', () => a.dcs.releaseLeader());
      await expectWake('put', async () => expectHeld(await b.dcs.acquireLeader()));
    } finally {
      stop();
    }
  });

  test('watch.config', 'wakes a watcher on a config change and stops calling it once unsubscribed', async () => {
    const cluster = kit.cluster('watch-config');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const events: DcsWatchEvent[] = [];
    const stop = b.dcs.onChange((event) => events.push(event));
    await sleep(300);
    await a.dcs.writeConfig({ ttl: 30 });
    await waitFor('a config event', async () => events.find((e) => e.key === 'config') ?? undefined, 5000, 20);
    stop();
    const count = events.length;
    await a.dcs.writeConfig({ ttl: 31 });
    await sleep(500);
    expect(events).toHaveLength(count);
  });

  test('watch.expiry-delete', 'reports a delete when the leader key vanishes because its session expired', async () => {
    const cluster = kit.cluster('watch-expiry');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const events: DcsWatchEvent[] = [];
    const stop = b.dcs.onChange((event) => events.push(event));
    try {
      await sleep(300);
      expectHeld(await a.dcs.acquireLeader());
      await waitFor('the put of the leader key', async () => events.find((e) => e.key === 'leader' && e.type === 'put'), 5000, 20);
      const seen = events.length;
      await a.client.abandon();
      // Nobody deletes the key: only the server's expiry of a's session can.
      await waitFor(
        'a delete event for the expired leader key',
        async () => events.slice(seen).find((e) => e.key === 'leader' && e.type === 'delete'),
        kit.settings.ttlSeconds * 1000 + 10_000,
        20,
      );
    } finally {
      stop();
    }
  });

  test('watch.isolated-listeners', 'keeps calling the other listeners when one listener throws', async () => {
    const cluster = kit.cluster('watch-isolated');
    const a = await cluster.member('a');
    const b = await cluster.member('b');
    const seen: DcsWatchEvent[] = [];
    const stops = [
      b.client.adapter.watch(() => {
        throw new Error('a listener that always throws');
      }),
      b.client.adapter.watch((event) => seen.push(event)),
    ];
    try {
      await sleep(300);
      for (const ttl of [30, 31]) {
        const before = seen.length;
        const outcome = await a.dcs.writeConfig({ ttl });
        expect(outcome.kind, 'a listener of another client must not fail this write').toBe('written');
        await waitFor(`the config event for ttl ${ttl} at the listener after the throwing one`, async () => seen.slice(before).find((e) => e.key === 'config'), 5000, 20);
      }
    } finally {
      for (const stop of stops) stop();
    }
  });
}
