/**
 * The HA loop driving a real watchdog device (Patroni's `testing` driver on a FIFO, and
 * the Linux driver on a missing path) against the in-memory DCS on a virtual clock:
 * activation after bootstrap, a keepalive per lock renewal, "V" on pause and demotion,
 * and a `required` node without a device never taking the lock.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Dcs,
  HaLoop,
  KeyLayout,
  ManualClock,
  MemoryDcs,
  MemoryDcsServer,
  MemoryLogger,
  seededRandom,
  Watchdog,
  watchdogLeaseGuard,
  type HaStatus,
  type WatchdogSettings,
} from '../../src/index.js';
import { FakePostgres } from '../ha/fake-postgres.js';
import { buildNode } from '../ha/build-node.js';
import { nodeConfig } from '../ha/fixtures.js';
import { makeFifo, readFifo, tempDir, type FifoReader } from './fifo.js';

function world() {
  const clock = new ManualClock();
  const server = new MemoryDcsServer({ clock });
  const layout = new KeyLayout({ scope: 'batman' });
  const pgs = new Map<string, FakePostgres>();
  const node = (name: string, pg: FakePostgres, watchdog?: Watchdog) => {
    pgs.set(name, pg);
    const dcs = new Dcs({
      adapter: new MemoryDcs({ server, layout, name, ttlSeconds: 30 }),
      timing: { ttl: 30, loopWait: 10, retryTimeout: 10 },
      clock,
      random: seededRandom(1),
    });
    return buildNode({
      dcs,
      postgres: pg,
      clock,
      random: seededRandom(2),
      node: nodeConfig({ name, apiUrl: `http://${name}:8008/patroni`, connUrl: `postgres://${name}:5432/postgres` }),
      ...(watchdog ? { leaseGuard: watchdogLeaseGuard(watchdog) } : {}),
      fetchPeerStatus: async (peer) => {
        const p = pgs.get(peer.name);
        if (!p || !p.running) throw new Error('unreachable');
        return p.role === 'primary'
          ? { role: 'primary', xlog: { location: p.wal }, timeline: p.timeline }
          : { role: 'replica', xlog: { received_location: p.wal, replayed_location: p.wal }, timeline: p.timeline };
      },
    });
  };
  const step = async (loop: HaLoop): Promise<HaStatus> => {
    let done: HaStatus | null = null;
    const p = loop.runCycle().then((s) => (done = s));
    for (let i = 0; i < 400 && done === null; i++) await clock.advance(100);
    await p;
    await clock.advance(0);
    return done!;
  };
  return { clock, server, layout, node, step, key: (k: string) => server.get(layout.key(k))?.value };
}

describe('HaLoop with a watchdog device', () => {
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  let reader: FifoReader;
  let logger: MemoryLogger;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    fifo = makeFifo(join(dir, 'watchdog'));
    reader = readFifo(fifo);
    logger = new MemoryLogger();
  });
  afterEach(() => {
    reader.close();
    cleanup();
  });

  const settings = (s: Partial<WatchdogSettings> = {}): WatchdogSettings => ({ mode: 'required', device: fifo, safetyMargin: 5, driver: 'testing', ...s });

  it('activates after bootstrap, feeds it after each renewal, disables it in pause', async () => {
    const w = world();
    const watchdog = new Watchdog(settings(), { logger, platform: 'linux' });
    const n1 = w.node('n1', new FakePostgres('n1', { empty: true }), watchdog);
    await w.step(n1);
    await w.step(n1);
    expect(reader.text()).toBe('');
    expect((await w.step(n1)).message).toBe('initialized a new cluster');
    expect(w.key('leader')).toBe('n1');
    await reader.waitFor('Ctimeout=25\n');
    expect(watchdog.isRunning()).toBe(true);
    expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
    expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
    await reader.waitFor('Ctimeout=25\n11');
    // Operators own a paused cluster: the device must not reset the host under them.
    w.server.put(w.layout.key('config'), JSON.stringify({ ttl: 30, loop_wait: 10, pause: true }));
    expect((await w.step(n1)).message).toMatch(/^PAUSE: /);
    expect(await reader.waitFor('V')).toBe('Ctimeout=25\n111V');
    expect(watchdog.isRunning()).toBe(false);
    // Leaving pause: activated again before the primary carries on.
    w.server.put(w.layout.key('config'), JSON.stringify({ ttl: 30, loop_wait: 10 }));
    expect((await w.step(n1)).message).toBe('no action. I am (n1), the leader with the lock');
    await reader.waitFor('VCtimeout=25\n');
    expect(watchdog.isRunning()).toBe(true);
    watchdog.disable();
  });

  it('a primary that loses the lock to another node demotes and disables the device', async () => {
    const w = world();
    const watchdog = new Watchdog(settings(), { logger, platform: 'linux' });
    const p1 = new FakePostgres('n1', { role: 'primary' });
    const n1 = w.node('n1', p1, watchdog);
    expect((await w.step(n1)).message).toBe('acquired session lock as a leader');
    await reader.waitFor('Ctimeout=25\n');
    w.server.deleteKey(w.layout.key('leader'));
    w.server.put(w.layout.member('n2'), JSON.stringify({ conn_url: 'postgres://n2:5432/postgres', api_url: 'http://n2:8008/patroni', role: 'primary' }));
    w.server.put(w.layout.key('leader'), 'n2');
    expect((await w.step(n1)).message).toBe('demoting self because I do not have the lock and I was a leader');
    expect(await reader.waitFor('V')).toBe('Ctimeout=25\nV');
    expect(watchdog.isRunning()).toBe(false);
  });

  it('required with no usable device: the replica never takes over, and says why', async () => {
    const w = world();
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 5000 });
    const n1 = w.node('n1', p1);
    const watchdog = new Watchdog(settings({ driver: 'default', device: join(dir, 'missing') }), { logger, platform: 'linux' });
    const n2 = w.node('n2', p2, watchdog);
    await w.step(n1);
    await w.step(n2);
    expect(watchdog.isHealthy({ ttl: 30, loopWait: 10 })).toBe(false);
    p1.running = false;
    await w.clock.advance(31_000);
    expect(w.key('leader')).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      expect((await w.step(n2)).message).toBe('following a different leader because i am not the healthiest node');
      await w.clock.advance(10_000);
    }
    expect(w.key('leader')).toBeUndefined();
    expect(p2.role).toBe('replica');
  });
});
