/**
 * /history after a second promotion (found by the demo, whose GET /history lost the
 * first promotion's time and leader): the new primary rebuilds /history from its
 * timeline history file, which only has timeline, LSN and reason per line. Every older
 * line must keep the time and leader /history already had, as Patroni does; only the
 * newest line gets this promotion's.
 */
import { describe, expect, it } from 'vitest';
import {
  Dcs,
  HaLoop,
  KeyLayout,
  ManualClock,
  MemoryDcs,
  MemoryDcsServer,
  seededRandom,
  type HistoryLine,
} from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { buildNode } from './build-node.js';
import { nodeConfig, SYSID } from './fixtures.js';

describe('HaLoop writing /history', () => {
  it('keeps the time and leader of earlier promotions when it adds its own', async () => {
    const clock = new ManualClock();
    const server = new MemoryDcsServer({ clock });
    const layout = new KeyLayout({ scope: 'history' });
    server.put(layout.key('initialize'), SYSID);
    server.put(layout.key('history'), JSON.stringify([[1, 100, 'no recovery target specified', '2026-01-01T00:00:00+00:00', 'n0']]));
    const pg = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    pg.timeline = 3;
    // What pg_wal/00000003.history holds: both forks, without times or names.
    const fileLines: HistoryLine[] = [
      [1, 100, 'no recovery target specified'],
      [2, 200, 'no recovery target specified'],
    ];
    pg.historyLines = fileLines;
    const loop = buildNode({
      dcs: new Dcs({ adapter: new MemoryDcs({ server, layout, name: 'n1', ttlSeconds: 30 }), timing: { ttl: 30, loopWait: 10, retryTimeout: 10 }, clock, random: seededRandom(1) }),
      postgres: pg,
      clock,
      random: seededRandom(2),
      node: nodeConfig({ name: 'n1', apiUrl: 'http://n1:8008/patroni', connUrl: 'postgres://n1:5432/postgres' }),
    });
    const step = async (): Promise<void> => {
      let done = false;
      const p = loop.runCycle().then(() => (done = true));
      for (let i = 0; i < 400 && !done; i++) await clock.advance(100);
      await p;
    };
    await step(); // acquires the lock
    await step(); // the leader's cycle rewrites /history
    const written = JSON.parse(server.get(layout.key('history'))!.value) as unknown[][];
    expect(written[0]).toEqual([1, 100, 'no recovery target specified', '2026-01-01T00:00:00+00:00', 'n0']);
    expect(written[1]!.slice(0, 3)).toEqual([2, 200, 'no recovery target specified']);
    expect(written[1]![4]).toBe('n1');
    expect(typeof written[1]![3]).toBe('string');
  });
});
