/**
 * The conformance target for MemoryDcs, on the system clock: the reference run of the
 * kit, and an example for adapter authors.
 */
import { MemoryDcs } from '../dcs/memory/memory-dcs.js';
import { MemoryDcsServer } from '../dcs/memory/memory-server.js';
import type { ConformanceFactory, ConformanceTarget } from './target.js';

export function memoryConformanceFactory(): ConformanceFactory {
  let server: MemoryDcsServer | undefined;
  let clients = 0;
  return {
    async setup(): Promise<ConformanceTarget> {
      const store = new MemoryDcsServer();
      server = store;
      return {
        leadingSlash: true,
        async connect(options) {
          const adapter = new MemoryDcs({ server: store, layout: options.layout, name: options.name, ttlSeconds: options.ttlSeconds, clientId: `${options.name}#${++clients}` });
          return { adapter, abandon: async () => adapter.abandon() };
        },
        async readRaw(path) {
          return store.get(path)?.value ?? null;
        },
        async writeRaw(path, value) {
          store.put(path, value);
        },
        server: {
          stop: async () => store.setMode('down'),
          start: async () => store.setMode('up'),
          freeze: async () => store.setMode('frozen'),
          thaw: async () => store.setMode('up'),
        },
      };
    },
    async teardown() {
      server?.setMode('up');
    },
  };
}
