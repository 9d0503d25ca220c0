/**
 * The lease guard as the loop drives it through the executor: armed on the winner's
 * replica postmaster before `promote` runs, moved on every renewal, kept while a
 * primary that lost its lock is still up, disarmed at the demotion's safepoint.
 */
import { describe, expect, it } from 'vitest';
import type { LeaseGuard } from '../../src/index.js';
import { FakePostgres } from './fake-postgres.js';
import { world } from './loop-world.js';

/** Records guard calls into the node's Postgres call log, so the order is one timeline. */
function recordingGuard(pgOf: (name: string) => FakePostgres | undefined) {
  return (name: string): LeaseGuard => ({
    readiness: () => null,
    activate: () => true,
    arm: async ({ validUntil, postmasterPid }) => void pgOf(name)?.calls.push(`guard:arm:${validUntil}:${postmasterPid}`),
    disarm: async (reason) => void pgOf(name)?.calls.push(`guard:disarm:${reason}`),
  });
}

/** n1, a primary that took the lock in one cycle, its guard recording into its call log. */
async function leadingPrimary() {
  const pgs = new Map<string, FakePostgres>();
  const w = world({ leaseGuard: recordingGuard((n) => pgs.get(n)) });
  const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
  pgs.set('n1', p1);
  const n1 = w.node('n1', p1);
  await w.step(n1);
  return { w, p1, n1 };
}

describe('the loop drives the lease guard', () => {
  it('a failover: the winner is armed with its new lock before promote; the loser never is', async () => {
    const pgs = new Map<string, FakePostgres>();
    const w = world({ leaseGuard: recordingGuard((n) => pgs.get(n)) });
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 5000 });
    const p3 = new FakePostgres('n3', { role: 'replica', wal: 4000 });
    pgs.set('n1', p1).set('n2', p2).set('n3', p3);
    const n1 = w.node('n1', p1);
    const n2 = w.node('n2', p2);
    const n3 = w.node('n3', p3);
    await w.step(n1);
    await w.step(n2);
    await w.step(n3);
    // n1's host dies: its agent stops and its lease runs out.
    p1.running = false;
    w.reachable.delete('n1');
    await w.clock.advance(31_000);
    await w.step(n3);
    expect(w.key('leader')).toBeUndefined();
    expect((await w.step(n2)).message).toBe('promoted self to leader by acquiring session lock');
    expect(w.key('leader')).toBe('n2');
    const arm = p2.calls.findIndex((c) => c.startsWith('guard:arm:'));
    expect(arm).toBeGreaterThanOrEqual(0);
    expect(arm).toBeLessThan(p2.calls.indexOf('promote'));
    // The deadline is the lock's: now + ttl (30 s) on the virtual clock; the replica's postmaster.
    const [, , validUntil, pid] = p2.calls[arm]!.split(':');
    expect(Number(validUntil)).toBeGreaterThan(w.clock.now());
    expect(Number(validUntil)).toBeLessThanOrEqual(w.clock.now() + 30_000);
    expect(pid).toBe('1');
    expect(p3.calls.some((c) => c.startsWith('guard:arm'))).toBe(false);
  });

  it('every renewal moves the deadline on', async () => {
    const { w, p1, n1 } = await leadingPrimary();
    await w.clock.advance(10_000);
    await w.step(n1);
    const arms = p1.calls.filter((c) => c.startsWith('guard:arm:')).map((c) => Number(c.split(':')[2]));
    expect(arms.length).toBe(2);
    expect(arms[1]! - arms[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('lost lock: the guard stays armed until the stop, then disarms at the safepoint', async () => {
    const { w, p1, n1 } = await leadingPrimary();
    // Someone else's key now: the renewal answers `lost`.
    w.server.put(w.layout.key('leader'), 'n9');
    p1.calls.length = 0;
    await w.step(n1);
    const stop = p1.calls.indexOf('stop:immediate');
    const disarm = p1.calls.findIndex((c) => c.startsWith('guard:disarm:demoted'));
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(disarm).toBeGreaterThan(stop);
  });

  it('a follower that never held the lock never arms, and settles without touching an armed guard', async () => {
    const pgs = new Map<string, FakePostgres>();
    const w = world({ leaseGuard: recordingGuard((n) => pgs.get(n)) });
    const p1 = new FakePostgres('n1', { role: 'primary', wal: 5000 });
    const p2 = new FakePostgres('n2', { role: 'replica', wal: 5000 });
    pgs.set('n1', p1).set('n2', p2);
    await w.step(w.node('n1', p1));
    const n2 = w.node('n2', p2);
    await w.step(n2);
    expect(p2.calls.some((c) => c.startsWith('guard:arm'))).toBe(false);
  });
});
