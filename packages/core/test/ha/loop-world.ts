/**
 * A few HaLoops against one in-memory DCS on a virtual clock, each with a FakePostgres:
 * the harness of the loop and executor tests. `postFailsafe` is every node's POST
 * /failsafe client (the executor's injected poster).
 */
import { Dcs, HaLoop, KeyLayout, ManualClock, MemoryDcs, MemoryDcsServer, seededRandom, type DcsAdapter, type FailsafePoster, type HaStatus, type JsonObject, type LeaseGuard, type Logger } from '../../src/index.js';
import type { FakePostgres } from './fake-postgres.js';
import { buildNode } from './build-node.js';
import { nodeConfig } from './fixtures.js';

export interface WorldOptions {
  readonly postFailsafe?: FailsafePoster;
  /** Keys merged over the default bootstrap.dcs of every node. */
  readonly dcsConfig?: JsonObject;
  /** Each node's lease guard (default NO_LEASE_GUARD). */
  readonly leaseGuard?: (name: string) => LeaseGuard;
  /** Wraps each node's adapter (e.g. to make its calls hang). */
  readonly wrapAdapter?: (adapter: DcsAdapter, name: string) => DcsAdapter;
  /** Every node's engine logs here (default: nowhere). */
  readonly logger?: Logger;
}

export function world(options: WorldOptions = {}) {
  const clock = new ManualClock();
  const server = new MemoryDcsServer({ clock });
  const layout = new KeyLayout({ scope: 'batman' });
  const pgs = new Map<string, FakePostgres>();
  const reachable = new Set<string>();
  const node = (name: string, pg: FakePostgres) => {
    pgs.set(name, pg);
    reachable.add(name);
    const memory = new MemoryDcs({ server, layout, name, ttlSeconds: 30 });
    const dcs = new Dcs({
      adapter: options.wrapAdapter ? options.wrapAdapter(memory, name) : memory,
      timing: { ttl: 30, loopWait: 10, retryTimeout: 10 },
      clock,
      random: seededRandom(1),
    });
    const loop = buildNode({
      dcs,
      postgres: pg,
      clock,
      random: seededRandom(2),
      node: nodeConfig({
        name,
        apiUrl: `http://${name}:8008/patroni`,
        connUrl: `postgres://${name}:5432/postgres`,
        bootstrapDcsConfig: { ttl: 30, loop_wait: 10, ...options.dcsConfig },
      }),
      ...(options.postFailsafe ? { postFailsafe: options.postFailsafe } : {}),
      ...(options.leaseGuard ? { leaseGuard: options.leaseGuard(name) } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      fetchPeerStatus: async (peer) => {
        const p = pgs.get(peer.name);
        if (!p || !p.running || !reachable.has(peer.name)) throw new Error('unreachable');
        return p.role === 'primary'
          ? { role: 'primary', xlog: { location: p.wal }, timeline: p.timeline }
          : { role: 'replica', xlog: { received_location: p.wal, replayed_location: p.wal }, timeline: p.timeline };
      },
    });
    return loop;
  };
  /** Runs one cycle while moving virtual time, so sleeps and deadlines inside it resolve. */
  const step = async (loop: HaLoop): Promise<HaStatus> => {
    let done: HaStatus | null = null;
    const p = loop.runCycle().then((s) => (done = s));
    for (let i = 0; i < 400 && done === null; i++) await clock.advance(100);
    await p;
    await clock.advance(0);
    return done!;
  };
  return { clock, server, layout, node, step, pgs, reachable, key: (k: string) => server.get(layout.key(k))?.value };
}
