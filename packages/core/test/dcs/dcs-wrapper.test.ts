import { describe, expect, it } from 'vitest';
import { Dcs, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, MemoryLogger, seededRandom } from '../../src/index.js';

function setup(name = 'n1') {
  const clock = new ManualClock();
  const server = new MemoryDcsServer({ clock });
  const layout = new KeyLayout({ scope: 'batman' });
  const logger = new MemoryLogger();
  const make = (member: string) =>
    new Dcs({
      adapter: new MemoryDcs({ server, layout, name: member, ttlSeconds: 30 }),
      timing: { ttl: 30, loopWait: 10, retryTimeout: 10 },
      clock,
      random: seededRandom(7),
      logger,
    });
  return { clock, server, layout, logger, dcs: make(name), make };
}

describe('Dcs', () => {
  it('logs a garbage key once, not on every load, and again after it recovered and broke', async () => {
    const { dcs, server, layout, logger } = setup();
    server.put(layout.key('config'), '{oops');
    for (let i = 0; i < 3; i++) expect((await dcs.loadCluster()).kind).toBe('loaded');
    expect(logger.messages('warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toMatch(/'config'/);
    server.put(layout.key('config'), '{}');
    await dcs.loadCluster();
    server.put(layout.key('config'), '[');
    await dcs.loadCluster();
    expect(logger.messages('warn')).toHaveLength(2);
  });

  it('skips a status or failsafe write equal to the last one', async () => {
    const { dcs, server } = setup();
    await dcs.writeStatus({ lastLsn: 5, slots: null });
    const before = server.requests;
    await dcs.writeStatus({ lastLsn: 5, slots: null });
    await dcs.writeFailsafe({ n1: 'http://h/patroni' });
    await dcs.writeFailsafe({ n1: 'http://h/patroni' });
    expect(server.requests - before).toBe(1);
  });

  it('refuses a call with no time left after a renewal, and says so once a minute', async () => {
    const { dcs, clock, logger, server } = setup();
    dcs.endCallsBy(clock.now());
    const before = server.requests;
    expect((await dcs.writeStatus({ lastLsn: 1, slots: null })).kind).toBe('unavailable');
    expect((await dcs.writeStatus({ lastLsn: 2, slots: null })).kind).toBe('unavailable');
    expect(server.requests, 'nothing reached the DCS').toBe(before);
    expect(logger.messages('warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toMatch(/write status skipped.*fence_margin.*retry_timeout/);
    // The lock's own calls are never bounded, and a minute later a refusal is logged again.
    expect((await dcs.acquireLeader()).kind).toBe('held');
    await clock.advance(60_000);
    dcs.endCallsBy(clock.now());
    expect((await dcs.writeStatus({ lastLsn: 3, slots: null })).kind).toBe('unavailable');
    expect(logger.messages('warn')).toHaveLength(2);
    dcs.endCallsBy(null);
    expect((await dcs.writeStatus({ lastLsn: 4, slots: null })).kind).toBe('written');
  });

  it('gives held with validUntil = send time + ttl on the injected clock', async () => {
    const { dcs, clock } = setup();
    await clock.advance(1234);
    expect(await dcs.acquireLeader()).toEqual({ kind: 'held', validUntil: 1234 + 30_000 });
  });

  it('reports lost once the lease expired on the virtual clock, and the key is gone for others', async () => {
    const { dcs, clock, make } = setup();
    expect((await dcs.acquireLeader()).kind).toBe('held');
    await clock.advance(30_001);
    const other = make('n2');
    const loaded = await other.loadCluster();
    expect(loaded.kind === 'loaded' && loaded.cluster.leader).toBeNull();
    expect(await dcs.refreshLeader(null)).toMatchObject({ kind: 'lost', reason: 'not-held' });
  });

  it('wakes onChange only for leader and config', async () => {
    const { dcs, make } = setup();
    const seen: string[] = [];
    const stop = dcs.onChange((e) => seen.push(`${e.type} ${e.key}`));
    const other = make('n2');
    await other.touchMember({ state: 'running' });
    await other.writeStatus({ lastLsn: 1, slots: null });
    await other.acquireLeader();
    await other.writeConfig({ ttl: 30 });
    stop();
    expect(seen).toEqual(['put leader', 'put config']);
  });

  it('returns unavailable, not an exception, when a client is cut off', async () => {
    const { dcs, server, clock } = setup();
    server.cutOffClient('n1', true);
    const pending = dcs.refreshLeader(null);
    await clock.advance(10_000);
    expect(await pending).toMatchObject({ kind: 'unavailable', cause: { code: 'deadline-exceeded' } });
  });
});
