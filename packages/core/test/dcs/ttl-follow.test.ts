/**
 * The lease follows `/config`'s ttl (Patroni's `set_ttl`): after the dynamic ttl changes,
 * the leader lock and the member key live for the new ttl from the next renewal on. Before
 * the fix the adapter kept the ttl it was created with while the loop computed its lock
 * validity from the new one — a raised ttl made the leader believe in a lock that had
 * already expired.
 */
import { describe, expect, it } from 'vitest';
import { Dcs, HaLoop, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom, type HaStatus } from '../../src/index.js';
import { FakePostgres } from '../ha/fake-postgres.js';
import { buildNode } from '../ha/build-node.js';
import { nodeConfig } from '../ha/fixtures.js';

function setup(ttl: number) {
  const clock = new ManualClock();
  const server = new MemoryDcsServer({ clock });
  const layout = new KeyLayout({ scope: 'ttl' });
  const dcs = new Dcs({
    adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: ttl }),
    timing: { ttl, loopWait: 10, retryTimeout: 10 },
    clock,
    random: seededRandom(1),
  });
  return { clock, server, layout, dcs };
}

describe('Dcs.setTiming → adapter ttl', () => {
  it('a raised ttl keeps the leader key and member key alive for the new ttl after the next refresh', async () => {
    const { clock, server, layout, dcs } = setup(20);
    expect((await dcs.acquireLeader()).kind).toBe('held');
    await dcs.touchMember({ conn_url: 'postgres://n1:5432/postgres', state: 'running', role: 'primary' });
    dcs.setTiming({ ttl: 60, loopWait: 10, retryTimeout: 10 });
    expect(dcs.ttl).toBe(60);
    const loaded = await dcs.loadCluster();
    const refreshed = await dcs.refreshLeader(loaded.kind === 'loaded' ? loaded.cluster : null);
    expect(refreshed).toEqual({ kind: 'held', validUntil: clock.now() + 60_000 });
    await clock.advance(45_000); // past the old ttl of 20 s, within the new 60 s
    expect(server.get(layout.key('leader'))?.value).toBe('n1');
    expect(server.get(layout.member('n1'))).toBeDefined();
    await clock.advance(15_001);
    expect(server.get(layout.key('leader'))).toBeUndefined();
  });

  it('a lowered ttl lets the lock go after the new ttl', async () => {
    const { clock, server, layout, dcs } = setup(60);
    expect((await dcs.acquireLeader()).kind).toBe('held');
    dcs.setTiming({ ttl: 20, loopWait: 5, retryTimeout: 5 });
    const loaded = await dcs.loadCluster();
    expect(await dcs.refreshLeader(loaded.kind === 'loaded' ? loaded.cluster : null)).toEqual({ kind: 'held', validUntil: clock.now() + 20_000 });
    await clock.advance(20_001);
    expect(server.get(layout.key('leader'))).toBeUndefined();
  });
});

describe('HaLoop follows the /config ttl', () => {
  it('after another node raises ttl in /config, the leader renews its lock for the new ttl', async () => {
    const { clock, server, layout, dcs } = setup(30);
    const pg = new FakePostgres('n1', { empty: true });
    const loop = buildNode({ dcs, postgres: pg, clock, random: seededRandom(2), node: nodeConfig({ name: 'n1' }) });
    const step = async (): Promise<HaStatus> => {
      let done: HaStatus | null = null;
      const p = loop.runCycle().then((s) => (done = s));
      for (let i = 0; i < 400 && done === null; i++) await clock.advance(100);
      await p;
      return done!;
    };
    for (let i = 0; i < 4; i++) await step();
    expect(server.get(layout.key('leader'))?.value).toBe('n1');
    const config = JSON.parse(server.get(layout.key('config'))!.value) as Record<string, unknown>;
    server.put(layout.key('config'), JSON.stringify({ ...config, ttl: 90 }));
    const renewed = await step();
    expect(renewed.message).toBe('no action. I am (n1), the leader with the lock');
    expect(renewed.lockValidUntil).toBeGreaterThan(clock.now() + 85_000);
    // No renewal for 60 s: with the old ttl of 30 s the lock would be gone by now.
    await clock.advance(60_000);
    expect(server.get(layout.key('leader'))?.value).toBe('n1');
  });
});
