/**
 * `HaLoop.cancelTask()`: what `POST /reinitialize` with `force` does first (Patroni's
 * reinitialize(force) cancels its async executor). The running task's signal is aborted,
 * the loop forgets it, and the operator's task can start.
 */
import { describe, expect, it } from 'vitest';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

describe('HaLoop.cancelTask', () => {
  it('aborts the running task so a forced reinitialize can take its place', async () => {
    const w = world();
    const n1 = w.node('n1', new FakePostgres('n1', { role: 'primary', wal: 5000 }));
    const n2 = w.node('n2', new FakePostgres('n2', { role: 'replica', wal: 5000 }));
    await w.step(n1);
    await w.step(n2);
    let aborted = false;
    const long = (signal: AbortSignal) =>
      new Promise<{ ok: boolean }>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ ok: false });
        });
      });
    expect(n2.runTask('restart', 'restart', long)).toBe(true);
    // Without force, the task is in the way (the API answers "restart already in progress").
    expect(n2.runTask('reinitialize', 'reinitialize', async () => ({ ok: true }))).toBe(false);
    await n2.cancelTask();
    expect(aborted).toBe(true);
    expect(n2.getStatus().task).toBeNull();
    let reinitialized = false;
    expect(n2.runTask('reinitialize', 'reinitialize', async () => ((reinitialized = true), { ok: true }))).toBe(true);
    await w.clock.advance(0);
    expect(reinitialized).toBe(true);
  });

  it('gives up waiting for a task that ignores its signal after the grace period', async () => {
    const w = world();
    const n2 = w.node('n2', new FakePostgres('n2', { role: 'replica', wal: 5000 }));
    expect(n2.runTask('restart', 'restart', () => new Promise(() => {}))).toBe(true);
    const cancelled = n2.cancelTask();
    await w.clock.advance(10_000);
    await cancelled;
    expect(n2.getStatus().task).toBeNull();
    expect(n2.runTask('reinitialize', 'reinitialize', async () => ({ ok: true }))).toBe(true);
  });

  it('is a no-op with no task running', async () => {
    const w = world();
    const n2 = w.node('n2', new FakePostgres('n2', { role: 'replica', wal: 5000 }));
    await n2.cancelTask();
    expect(n2.getStatus().task).toBeNull();
  });
});
