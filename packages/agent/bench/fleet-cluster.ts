/**
 * One cluster of the fleet benchmark: three HA engines built by core's createNode (the
 * daemon's assembly), each with its own etcd client from the etcd3 adapter (the agent's
 * DCS traffic, unchanged) and a FleetPostgres in place of PostgreSQL. Every adapter call
 * is timed on the way through, so the benchmark sees the DCS latency the engine sees.
 */
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_TAGS,
  Dcs,
  DynamicConfigTracker,
  KeyLayout,
  NO_LEASE_GUARD,
  NO_PEERS,
  createNode,
  normalizeTiming,
  readDynamicConfig,
  silentLogger,
  systemClock,
  systemRandom,
  type DcsAdapter,
  type DcsTiming,
  type HaNode,
} from '@pgwarden/core';
import { dcsAdapter } from '@pgwarden/dcs-etcd';
import { FleetPostgres, type FleetPeers } from './fleet-postgres.js';

/** The adapter calls that go to etcd; `watch` and `close` are not timed. */
const TIMED = new Set(['read', 'acquireLeader', 'refreshLeader', 'releaseLeader', 'takeLeader', 'touchMember', 'write', 'remove']);

/** Durations (ms) of every timed call, and how many answered `unavailable`. */
export class CallTimes {
  durations: number[] = [];
  unavailable = 0;

  reset(): void {
    this.durations = [];
    this.unavailable = 0;
  }
}

function timed(adapter: DcsAdapter, times: CallTimes): DcsAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || !TIMED.has(prop)) return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        times.durations.push(performance.now() - t0);
        if ((result as { kind?: string } | null)?.kind === 'unavailable') times.unavailable++;
        return result;
      };
    },
  });
}

export interface FleetCluster {
  readonly scope: string;
  readonly nodes: readonly HaNode[];
  /** One engine holds the lock and the two others run as replicas. */
  settled(): boolean;
  /** Engine cycles that ended in an unexpected error, summed. */
  cycleErrors(): number;
  stop(): Promise<void>;
}

export async function startFleetCluster(scope: string, etcdHosts: readonly string[], timing: DcsTiming, times: CallTimes, walBytesPerSecond: number): Promise<FleetCluster> {
  const t = normalizeTiming(timing);
  const section = dcsAdapter.parseSection({ hosts: [...etcdHosts] });
  if (!section.ok) throw new Error(`etcd3 section: ${section.issues.map((i) => `${i.path} ${i.reason}`).join('; ')}`);
  const peers: FleetPeers = new Map();
  const nodes: HaNode[] = [];
  const adapters: DcsAdapter[] = [];
  for (const name of ['node1', 'node2', 'node3']) {
    const adapter = await dcsAdapter.create({
      section: section.value,
      layout: new KeyLayout({ namespace: '/service', scope }),
      name,
      ttlSeconds: t.ttl,
      loopWaitSeconds: t.loopWait,
      retryTimeoutSeconds: t.retryTimeout,
      clock: systemClock,
      logger: silentLogger,
    });
    adapters.push(adapter);
    const bootstrapDcsConfig = { ttl: t.ttl, loop_wait: t.loopWait, retry_timeout: t.retryTimeout, postgresql: { use_pg_rewind: true, use_slots: true } };
    const node = createNode({
      node: {
        name,
        apiUrl: `http://${scope}-${name}.invalid:8008/patroni`,
        connUrl: `postgres://${scope}-${name}.invalid:5432/postgres`,
        proxyUrl: null,
        tags: DEFAULT_TAGS,
        version: '4.0.0',
        canBootstrap: true,
        canCloneWithoutLeader: false,
        bootstrapDcsConfig,
        removeDataDirectoryOnDivergedTimelines: false,
      },
      dcs: new Dcs({ adapter: timed(adapter, times), timing: t, logger: silentLogger }),
      postgres: new FleetPostgres(name, peers, walBytesPerSecond),
      clock: systemClock,
      random: systemRandom,
      logger: silentLogger,
      peers: NO_PEERS,
      leaseGuard: NO_LEASE_GUARD,
      dynamicConfig: new DynamicConfigTracker(silentLogger, readDynamicConfig(bootstrapDcsConfig)),
    });
    nodes.push(node);
  }
  for (const n of nodes) n.start();
  return {
    scope,
    nodes,
    settled: () => {
      const s = nodes.map((n) => n.getStatus());
      return s.filter((x) => x.lockValidUntil !== null).length === 1 && s.filter((x) => x.role === 'replica' && x.state === 'running').length === 2;
    },
    cycleErrors: () => nodes.reduce((sum, n) => sum + n.getStatus().cycleErrors, 0),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all(adapters.map((a) => a.close()));
    },
  };
}
