/**
 * guardAdapter() owns the closed flag, deadlines and listener isolation: the raw
 * adapters that break those rules (and fail the kit bare) pass the same kit cases once
 * inside the guard.
 */
import { describe, expect, it } from 'vitest';
import { guardAdapter, KeyLayout, MemoryDcs, MemoryDcsServer, type DcsCallContext } from '../../src/index.js';
import { moduleConformance, memoryServerHandle, runConformanceCases } from '../../src/testing/index.js';
import { callsAfterClose } from './broken-adapters/calls-after-close.js';
import type { BrokenAdapter } from './broken-adapters/forwarding.js';
import { ignoresDeadline } from './broken-adapters/ignores-deadline.js';
import { listenersNotIsolated } from './broken-adapters/listeners-not-isolated.js';

function guarded(broken: BrokenAdapter, server: MemoryDcsServer): ReturnType<BrokenAdapter['module']> {
  const module = broken.module(server);
  return { ...module, create: async (options) => guardAdapter(await module.create(options), { clock: options.clock }) };
}

describe('guardAdapter', () => {
  for (const broken of [callsAfterClose, ignoresDeadline, listenersNotIsolated]) {
    it(`makes an adapter that breaks "${broken.rule}" pass '${broken.caughtBy}'`, async () => {
      const server = new MemoryDcsServer();
      const { factory, capabilities } = moduleConformance({ module: guarded(broken, server), server: memoryServerHandle(server) });
      const [result] = await runConformanceCases(factory, capabilities, { only: [broken.caughtBy], caseTimeoutMs: 30_000 });
      expect(result?.passed, result?.error).toBe(true);
    });
  }

  it('gives up on a raw close() that never settles, and answers closed afterwards', async () => {
    const raw = new MemoryDcs({ server: new MemoryDcsServer(), layout: new KeyLayout({ scope: 'guard' }), name: 'a', ttlSeconds: 10 });
    const hanging = Object.assign(Object.create(raw) as MemoryDcs, { close: () => new Promise<void>(() => {}) });
    const adapter = guardAdapter(hanging, { closeTimeoutMs: 200 });
    const started = performance.now();
    await adapter.close();
    expect(performance.now() - started).toBeLessThan(2000);
    const ctx: DcsCallContext = { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
    const outcome = await adapter.read(ctx, { linearizable: false });
    expect(outcome).toMatchObject({ kind: 'unavailable', cause: { code: 'closed' } });
  });

  it('says what to add when the raw adapter has no abandon()', async () => {
    const raw = new MemoryDcs({ server: new MemoryDcsServer(), layout: new KeyLayout({ scope: 'guard' }), name: 'a', ttlSeconds: 10 });
    const noAbandon = Object.assign(Object.create(raw) as MemoryDcs, { abandon: undefined });
    await expect(guardAdapter(noAbandon, { label: 'mydcs' }).abandon()).rejects.toThrow("mydcs adapter has no abandon(): add one that drops the connection without ending the session");
  });
});
