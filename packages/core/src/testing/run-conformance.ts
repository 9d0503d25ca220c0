/**
 * The whole kit from an adapter module and a server handle, in one call:
 *
 * ```ts
 * runConformance({
 *   module: dcsAdapter,
 *   server: async () => {
 *     const etcd = await startEtcd();
 *     return { section: { hosts: etcd.hosts }, readRaw: …, stop: etcd.stop, start: …, freeze: …, thaw: …, close: etcd.close };
 *   },
 * });
 * ```
 *
 * Adapters are built through `module.parseSection` and `module.create`, exactly as the
 * agent builds them; the kit tests what `create` returns.
 */
import type { DcsAdapter, DcsAdapterModule, DcsCapabilities } from '../dcs/adapter.js';
import { silentLogger } from '../logger.js';
import { describeDcsConformance } from './conformance.js';
import { withTimeout } from './harness.js';
import type { ConformanceFactory, ConformanceOptions, ConformanceServer, ConformanceTarget } from './target.js';

/** A running server the kit may read behind the adapter's back, and break. */
export interface ConformanceServerHandle extends ConformanceServer {
  /** The adapter's patroni.yml section for this server, as written in the file (parsed by the module). */
  readonly section: unknown;
  /** The raw value at a full path, read without the adapter; null when absent. */
  readRaw(path: string): Promise<string | null>;
  /**
   * Ends an adapter's session from outside (ZooKeeper: session expiry). Required when
   * the module's liveness is 'client'; gets what `create` returned.
   */
  expireSession?(adapter: DcsAdapter): Promise<void>;
  /** Stops the server for good after the suite. */
  close?(): Promise<void>;
}

export interface ModuleConformanceOptions<TSection> extends ConformanceOptions {
  /** The suite's name; default the module's section. */
  readonly name?: string;
  readonly module: DcsAdapterModule<TSection>;
  /** The server, or a function that starts it (called once, before the suite). */
  readonly server: ConformanceServerHandle | (() => Promise<ConformanceServerHandle>);
  /** Whether full paths keep the leading `/` (Consul's do not); default true. */
  readonly leadingSlash?: boolean;
  /** Overrides of the module's capabilities for this server (e.g. a smaller minimum TTL). */
  readonly capabilities?: Partial<DcsCapabilities>;
}

/** Registers the kit as a vitest suite for `options.module` against `options.server`. */
export function runConformance<TSection>(options: ModuleConformanceOptions<TSection>): void {
  const { factory, capabilities } = moduleConformance(options);
  describeDcsConformance(options.name ?? options.module.section, factory, capabilities, options);
}

/** The factory and capabilities runConformance uses, for runConformanceCases. */
export function moduleConformance<TSection>(options: ModuleConformanceOptions<TSection>): {
  factory: ConformanceFactory;
  capabilities: DcsCapabilities;
} {
  const { module } = options;
  const capabilities: DcsCapabilities = { ...module.capabilities, ...options.capabilities };
  let handle: ConformanceServerHandle | undefined;
  const adapters = new Set<DcsAdapter>();

  const factory: ConformanceFactory = {
    async setup(): Promise<ConformanceTarget> {
      const server = typeof options.server === 'function' ? await options.server() : options.server;
      handle = server;
      const parsed = module.parseSection(server.section);
      if (!parsed.ok) {
        const issues = parsed.issues.map((i) => `${i.path}: ${i.reason}`).join('; ');
        throw new Error(`the server handle's section is not a valid '${module.section}' section: ${issues}`);
      }
      const section = parsed.value;
      const target: ConformanceTarget = {
        leadingSlash: options.leadingSlash ?? true,
        server,
        readRaw: (path) => server.readRaw(path),
        async connect(connect) {
          const adapter = await module.create({ ...connect, section, logger: silentLogger });
          adapters.add(adapter);
          return { adapter, abandon: () => abandonAdapter(module.section, adapter, adapters) };
        },
      };
      const expire = server.expireSession;
      if (expire) target.expireSession = (client) => expire.call(server, client.adapter);
      return target;
    },
    async teardown() {
      await Promise.all([...adapters].map((a) => withTimeout(a.close(), 3000).catch(() => undefined)));
      adapters.clear();
      await handle?.close?.();
    },
  };
  return { factory, capabilities };
}

async function abandonAdapter(section: string, adapter: DcsAdapter, adapters: Set<DcsAdapter>): Promise<void> {
  const abandon = (adapter as { abandon?: () => void | Promise<void> }).abandon;
  if (typeof abandon !== 'function') {
    throw new Error(
      `the '${section}' adapter has no abandon(): the kit needs one that drops the connection without ending the session (guardAdapter() provides it from the raw adapter's abandon())`,
    );
  }
  adapters.delete(adapter);
  await abandon.call(adapter);
}
