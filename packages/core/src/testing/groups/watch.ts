import { expect, it } from 'vitest';
import type { DcsWatchEvent } from '../../dcs/adapter.js';
import type { KitContext } from '../context.js';
import { expectHeld, now, sleep, waitFor } from '../harness.js';

const WAKE_WITHIN_MS = 1000;

/** Replicas sleep on the watch: a leader change must wake them within a second. */
export function watchGroup(kit: KitContext): void {
  it('wakes a watcher within 1 s of the leader key being created, deleted and replaced', async () => {
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

  it('wakes a watcher on a config change and stops calling it once unsubscribed', async () => {
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
}
