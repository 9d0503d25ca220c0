/**
 * Regression (found by the demo): MemoryDcs.touchMember did not renew the session, so
 * a healthy replica's member key vanished every ttl and reappeared on its next touch.
 * The etcd adapter renews from touchMember; the reference adapter must do the same.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom } from '../../src/index.js';

describe('MemoryDcs.touchMember', () => {
  it('keeps a member key alive past the ttl while the member keeps touching', async () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'touch' });
    const dcs = new Dcs({
      adapter: new MemoryDcs({ server, layout, name: 'replica1', ttlSeconds: 20 }),
      timing: { ttl: 20, loopWait: 10, retryTimeout: 5 },
      clock,
      random: seededRandom(1),
    });
    const path = layout.member('replica1');
    const first = await dcs.touchMember({ conn_url: 'postgres://r1:5432/postgres', state: 'running', role: 'replica' });
    expect(first.kind).toBe('written');
    const created = server.get(path)!.createRevision;
    for (let i = 0; i < 6; i++) {
      await clock.advance(10_000);
      await dcs.touchMember({ conn_url: 'postgres://r1:5432/postgres', state: 'running', role: 'replica' });
      // Same key, never re-created: it did not expire in between.
      expect(server.get(path)?.createRevision).toBe(created);
    }
    // Once touches stop, the key goes after the ttl.
    await clock.advance(20_001);
    expect(server.get(path)).toBeUndefined();
  });
});
