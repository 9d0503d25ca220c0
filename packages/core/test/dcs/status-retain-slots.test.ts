/**
 * /status `retain_slots` (Patroni 4's member_slots_ttl): written by the leader, read by
 * every node, and still there after the leader releases the lock, so the next leader
 * keeps the slots of members that left.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, decodeStatus, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, MemoryLogger, seededRandom } from '../../src/index.js';

function setup() {
  const clock = new ManualClock();
  const server = new MemoryDcsServer({ clock });
  const layout = new KeyLayout({ scope: 'batman' });
  const dcs = new Dcs({
    adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: 30 }),
    timing: { ttl: 30, loopWait: 10, retryTimeout: 10 },
    clock,
    random: seededRandom(7),
    logger: new MemoryLogger(),
  });
  return { server, layout, dcs };
}

describe('/status retain_slots', () => {
  it('is written after slots, read back, and accepted as a JSON string', () => {
    expect(decodeStatus('{"optime":5,"slots":{"n2":4},"retain_slots":["n2","n3"]}').value).toMatchObject({ lastLsn: 5, retainSlots: ['n2', 'n3'], extra: {} });
    expect(decodeStatus('{"optime":5,"retain_slots":"[\\"n2\\"]"}').value.retainSlots).toEqual(['n2']);
    expect(decodeStatus('{"optime":5,"retain_slots":7}').value.retainSlots).toEqual([]);
  });

  it('survives the release of the lock', async () => {
    const { server, layout, dcs } = setup();
    expect((await dcs.acquireLeader()).kind).toBe('held');
    await dcs.writeStatus({ lastLsn: 100, slots: { n2: 90 }, retainSlots: ['n2', 'n3'] });
    expect(server.get(layout.key('status'))?.value).toBe('{"optime":100,"slots":{"n2":90},"retain_slots":["n2","n3"]}');
    await dcs.releaseLeader({ lastLsn: 120 });
    expect(server.get(layout.key('status'))?.value).toBe('{"optime":120,"retain_slots":["n2","n3"]}');
  });
});
