/**
 * Conformance targets for the Redis adapter: a real redis-server (or a Sentinel group)
 * from the testkit, adapters built through `dcsAdapter.create` exactly as the agent
 * builds them, and raw RESP commands to look at and write keys behind the adapter's back.
 */
import { KeyLayout, silentLogger, systemClock, type DcsAdapterOptions, type GuardedAdapter, type Logger } from '@pgwarden/core';
import type { ConformanceFactory, ConformanceServer, ConformanceTarget } from '@pgwarden/core/testing';
import { redisCommand, startRedis, startRedisSentinel, type RedisSentinelGroup, type RedisServer } from '@pgwarden/testkit';
import { dcsAdapter, RedisDcs, type RedisSection } from '../../src/index.js';

export function standaloneSection(server: RedisServer): RedisSection {
  return { topology: { kind: 'standalone', host: { host: server.host, port: server.port } }, db: 0 };
}

export function sentinelSection(group: RedisSentinelGroup): RedisSection {
  return {
    topology: { kind: 'sentinel', master: group.masterName, sentinels: group.sentinels.map((s) => ({ host: s.host, port: s.port })) },
    db: 0,
  };
}

/** The Redis adapter inside the guard `dcsAdapter.create` wraps it in. */
export function rawOf(adapter: GuardedAdapter): RedisDcs {
  if (!(adapter.inner instanceof RedisDcs)) throw new Error('dcsAdapter.create did not wrap a RedisDcs');
  return adapter.inner;
}

/** An adapter made by `dcsAdapter.create`, as the agent makes it (guarded). */
export async function createAdapter(
  section: RedisSection,
  options: Partial<DcsAdapterOptions<RedisSection>> & { scope?: string; name: string; logger?: Logger },
): Promise<GuardedAdapter> {
  const adapter = await dcsAdapter.create({
    section,
    layout: options.layout ?? new KeyLayout({ scope: options.scope ?? 'batman' }),
    name: options.name,
    ttlSeconds: options.ttlSeconds ?? 10,
    loopWaitSeconds: options.loopWaitSeconds ?? 1,
    retryTimeoutSeconds: options.retryTimeoutSeconds ?? 3,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    ...(options.readOnly !== undefined && { readOnly: options.readOnly }),
  });
  const guarded = adapter as GuardedAdapter;
  rawOf(guarded);
  return guarded;
}

/** The value a Patroni key holds (the `value` field of its hash), or null. */
export async function rawValue(port: number, path: string): Promise<string | null> {
  const value = await redisCommand(port, ['HGET', path, 'value']);
  return typeof value === 'string' ? value : null;
}

/** `/service/batman` for `/service/batman/leader` or `/service/batman/members/a`. */
function clusterBase(path: string): string {
  return path.replace(/\/(?:members|optime)\/[^/]+$|\/[^/]+$/, '');
}

interface Backend {
  section(): RedisSection;
  /** Port of the server that takes writes now. */
  masterPort(): Promise<number>;
  server: ConformanceServer;
  close(): Promise<void>;
}

export interface RedisConformanceFactory extends ConformanceFactory {
  /** Stops the servers for good (teardown only releases the suite's clients). */
  close(): Promise<void>;
}

function conformanceFactory(startBackend: () => Promise<Backend>): RedisConformanceFactory {
  let backend: Promise<Backend> | undefined;
  const adapters = new Set<GuardedAdapter>();
  return {
    async setup(): Promise<ConformanceTarget> {
      const b = await (backend ??= startBackend());
      return {
        leadingSlash: true,
        async connect(options) {
          const adapter = await createAdapter(b.section(), { ...options, layout: options.layout });
          adapters.add(adapter);
          return {
            adapter,
            abandon: async () => {
              adapters.delete(adapter);
              await adapter.abandon();
            },
          };
        },
        readRaw: async (path) => rawValue(await b.masterPort(), path),
        async writeRaw(path, value) {
          const port = await b.masterPort();
          await redisCommand(port, ['HSET', path, 'value', value, 'version', '0', 'session', '']);
          await redisCommand(port, ['SADD', `${clusterBase(path)}:keys`, path]);
        },
        server: b.server,
      };
    },
    async teardown() {
      await Promise.all([...adapters].map((adapter) => adapter.abandon()));
      adapters.clear();
    },
    async close() {
      const started = await backend?.catch(() => undefined);
      await started?.close();
      backend = undefined;
    },
  };
}

/** One redis-server. */
export function redisConformanceFactory(): RedisConformanceFactory {
  return conformanceFactory(async () => {
    const server = await startRedis();
    return {
      section: () => standaloneSection(server),
      masterPort: async () => server.port,
      server: { stop: () => server.stop(), start: () => server.start(), freeze: () => server.freeze(), thaw: () => server.thaw() },
      close: () => server.close(),
    };
  });
}

/**
 * A Sentinel group. An outage stops (or freezes) both data servers, so the sentinels
 * cannot fail over in the middle of it; `group()` gives tests the group for failovers.
 */
export function sentinelConformanceFactory(): RedisConformanceFactory & { group(): Promise<RedisSentinelGroup> } {
  let group: Promise<RedisSentinelGroup> | undefined;
  const start = (): Promise<RedisSentinelGroup> => (group ??= startRedisSentinel());
  const each = async (action: 'stop' | 'start' | 'freeze' | 'thaw'): Promise<void> => {
    const g = await start();
    for (const server of g.servers) await server[action]();
  };
  const factory = conformanceFactory(async () => {
    const g = await start();
    return {
      section: () => sentinelSection(g),
      masterPort: async () => (await g.master()).port,
      server: { stop: () => each('stop'), start: () => each('start'), freeze: () => each('freeze'), thaw: () => each('thaw') },
      close: () => g.close(),
    };
  });
  return { ...factory, group: start };
}
