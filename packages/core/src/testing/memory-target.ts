/**
 * MemoryDcs as an adapter module and a server handle, on the system clock: the
 * reference run of the kit, and the base of the deliberately broken adapters that
 * show the kit catches each broken rule.
 */
import type { DcsAdapterModule } from '../dcs/adapter.js';
import { guardAdapter } from '../dcs/guarded-adapter.js';
import { MEMORY_CAPABILITIES, MemoryDcs } from '../dcs/memory/memory-dcs.js';
import { MemoryDcsServer } from '../dcs/memory/memory-server.js';
import { moduleConformance, type ConformanceServerHandle } from './run-conformance.js';
import type { ConformanceFactory } from './target.js';

/** MemoryDcs has no settings: its section is an empty object. */
export type MemorySection = Record<string, never>;

/** An adapter module over one in-memory server; `create` returns the raw MemoryDcs inside the guard. */
export function memoryDcsModule(server: MemoryDcsServer): DcsAdapterModule<MemorySection> {
  let clients = 0;
  return {
    section: 'memory',
    capabilities: MEMORY_CAPABILITIES,
    parseSection: () => ({ ok: true, value: {} }),
    async create(options) {
      const clientId = `${options.name}#${++clients}`;
      // As a real adapter does at start: fail now, with a DcsError, if the server does not answer.
      await server.gate(clientId, AbortSignal.timeout(options.retryTimeoutSeconds * 1000));
      const raw = new MemoryDcs({ server, layout: options.layout, name: options.name, ttlSeconds: options.ttlSeconds, clientId });
      return guardAdapter(raw, { clock: options.clock, logger: options.logger, label: 'MemoryDcs' });
    },
  };
}

/** The in-memory server as the kit breaks it: stop = down, freeze = every call hangs. */
export function memoryServerHandle(server: MemoryDcsServer): ConformanceServerHandle {
  return {
    section: {},
    readRaw: async (path) => server.get(path)?.value ?? null,
    stop: async () => server.setMode('down'),
    start: async () => server.setMode('up'),
    freeze: async () => server.setMode('frozen'),
    thaw: async () => server.setMode('up'),
    close: async () => server.setMode('up'),
  };
}

/** The complete reference target, for describeDcsConformance. */
export function memoryConformanceFactory(): ConformanceFactory {
  const server = new MemoryDcsServer();
  return moduleConformance({ module: memoryDcsModule(server), server: memoryServerHandle(server) }).factory;
}
