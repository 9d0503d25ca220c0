/**
 * The live-status wait on its own, on a virtual clock: one call shared by concurrent
 * requests, the loop's state once the 2 s budget is spent or when the source throws, and
 * a fresh call for the next request once one has finished.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryLogger, type NodeState } from '@pgwarden/core';
import { LiveState } from '../../src/api/live-state.js';
import type { NodeStateSource } from '../../src/api/index.js';
import { primary } from './fixtures.js';

function source(live: () => Promise<NodeState>): NodeStateSource & { calls: number } {
  const s = {
    calls: 0,
    current: () => primary({ name: 'from-loop' }),
    cluster: () => null,
    config: () => null,
    live: () => {
      s.calls++;
      return live();
    },
  };
  return s;
}

describe('LiveState', () => {
  it('shares one call among concurrent requests, then starts a new one', async () => {
    const clock = new ManualClock();
    let answer!: (s: NodeState) => void;
    const src = source(() => new Promise<NodeState>((resolve) => (answer = resolve)));
    const live = new LiveState(src, clock, new MemoryLogger());
    const a = live.get();
    const b = live.get();
    answer(primary({ name: 'queried' }));
    expect((await a).name).toBe('queried');
    expect((await b).name).toBe('queried');
    expect(src.calls).toBe(1);
    const c = live.get();
    answer(primary({ name: 'queried again' }));
    expect((await c).name).toBe('queried again');
    expect(src.calls).toBe(2);
  });

  it("answers with the loop's state when the budget runs out", async () => {
    const clock = new ManualClock();
    const src = source(() => new Promise<NodeState>(() => undefined));
    const live = new LiveState(src, clock, new MemoryLogger(), 2000);
    let settled: NodeState | null = null;
    void live.get().then((s) => (settled = s));
    await clock.advance(1999);
    expect(settled).toBeNull();
    await clock.advance(1);
    expect(settled!.name).toBe('from-loop');
  });

  it("answers with the loop's state when the source throws, and without a live source", async () => {
    const clock = new ManualClock();
    const failing = new LiveState(source(() => Promise.reject(new Error('boom'))), clock, new MemoryLogger());
    expect((await failing.get()).name).toBe('from-loop');
    const plain: NodeStateSource = { current: () => primary({ name: 'plain' }), cluster: () => null, config: () => null };
    expect((await new LiveState(plain, clock, new MemoryLogger()).get()).name).toBe('plain');
  });
});
