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

  it('a lock won on a lease last renewed long ago lives until the validUntil it reported', async () => {
    // Found by the simulation (strict seed 103181 at 360 s): the lease was last touched
    // before a 27 s DCS outage, the lock was put on it as it was, and the server deleted
    // the new leader key 1.7 s after it was won, while the winner counted on 30 s.
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'acquire' });
    const adapter = new MemoryDcs({ server, layout, name: 'node1', ttlSeconds: 30 });
    const dcs = new Dcs({ adapter, timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) });
    await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'replica' });
    await clock.advance(28_000);
    const won = await dcs.acquireLeader();
    expect(won.kind).toBe('held');
    const validUntil = (won as { validUntil: number }).validUntil;
    expect(validUntil).toBeGreaterThanOrEqual(clock.now() + 29_000);
    await clock.advance(validUntil - clock.now() - 1);
    expect(server.get(layout.key('leader'))?.value).toBe('node1');
  });
});
