/**
 * The 2 s Patroni gives others to take a released leader key ends as soon as the DCS
 * watch reports the key taken: a demoted primary follows the new leader at once.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom } from '../../src/index.js';
import { AFTER_RELEASE_MS } from '../../src/ha/demote.js';
import { watchLeaderTaken } from '../../src/ha/leader-taken.js';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

function dcsOn(server: MemoryDcsServer, clock: ManualClock, layout: KeyLayout, name: string): Dcs {
  return new Dcs({ adapter: new MemoryDcs({ server, layout, name, ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) });
}

describe('watchLeaderTaken', () => {
  const setup = () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'batman' });
    const dcs = dcsOn(server, clock, layout, 'n1');
    dcs.onChange(() => {}); // the loop's own subscription keeps the watch open
    return { clock, server, layout, dcs };
  };

  it('ends as soon as the leader key is written', async () => {
    const { clock, server, layout, dcs } = setup();
    const taken = watchLeaderTaken(dcs, clock, ['n1']);
    let done = false;
    const waiting = taken.wait(2000).then(() => (done = true));
    await clock.advance(10);
    expect(done).toBe(false);
    server.put(layout.key('leader'), 'n2');
    await clock.advance(10);
    expect(done).toBe(true);
    await waiting;
  });

  it('counts a write that came before wait() was called', async () => {
    const { clock, server, layout, dcs } = setup();
    const taken = watchLeaderTaken(dcs, clock, ['n1']);
    server.put(layout.key('leader'), 'n2');
    await clock.advance(10);
    const t0 = clock.now();
    await taken.wait(2000);
    expect(clock.now() - t0).toBe(0);
  });

  it('a write naming a former leader (a late refresh of the old lock) does not end it', async () => {
    const { clock, server, layout, dcs } = setup();
    const taken = watchLeaderTaken(dcs, clock, ['n1', 'n0']);
    let done = false;
    const waiting = taken.wait(2000).then(() => (done = true));
    server.put(layout.key('leader'), 'n0');
    await clock.advance(100);
    expect(done).toBe(false);
    server.put(layout.key('leader'), 'n2');
    await clock.advance(10);
    expect(done).toBe(true);
    await waiting;
  });

  it('waits the full time when nobody takes the key (a delete does not count)', async () => {
    const { clock, server, layout, dcs } = setup();
    server.put(layout.key('leader'), 'n1');
    await clock.advance(10);
    const taken = watchLeaderTaken(dcs, clock, ['n1']);
    let done = false;
    const waiting = taken.wait(2000).then(() => (done = true));
    server.deleteKey(layout.key('leader'));
    await clock.advance(1990);
    expect(done).toBe(false);
    await clock.advance(20);
    expect(done).toBe(true);
    await waiting;
  });
});

describe('a graceful switchover', () => {
  it('the old primary follows the new leader as soon as it takes the lock, not 2 s later', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 5000 });
    const n1 = w.node('n1', p1);
    const n2 = w.node('n2', p2);
    expect((await w.step(n1)).message).toBe('acquired session lock as a leader');
    expect((await w.step(n2)).message).toBe('no action. I am (n2), a secondary, and following a leader (n1)');
    w.server.put(w.layout.key('failover'), JSON.stringify({ leader: 'n1', candidate: 'n2' }));
    const t0 = w.clock.now();
    expect((await w.step(n1)).message).toBe('switchover: demoting myself');
    // n1's demote task stops Postgres and releases the key; n2's next cycle takes it.
    for (let i = 0; i < 50 && w.key('leader') !== undefined; i++) await w.clock.advance(10);
    expect(w.key('leader')).toBeUndefined();
    expect((await w.step(n2)).message).toBe('promoted self to leader by acquiring session lock');
    for (let i = 0; i < 100 && !p1.calls.includes('follow:n2'); i++) await w.clock.advance(10);
    expect(p1.calls).toContain('follow:n2');
    const took = w.clock.now() - t0;
    expect(took).toBeLessThan(AFTER_RELEASE_MS);
  });
});
