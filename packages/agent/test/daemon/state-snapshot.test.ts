/**
 * Health checks are answered from a snapshot of the node's state: rebuilt when anything a
 * check can tell apart changes, reused otherwise, so a burst of checks does no I/O (the
 * fence's state reads files) and builds nothing.
 */
import { describe, expect, it } from 'vitest';
import { validateDynamicConfig, type FenceState } from '@pgwarden/core';
import { SNAPSHOT_MAX_AGE_MS, snapshotState, type StateInputs } from '../../src/daemon/state-source.js';
import { threeNodeCluster } from '../api/cluster-fixture.js';

function node() {
  const pg = { state: 'running', role: 'primary', postmasterPid: 4242 as number | null, pendingRestartReason: {} };
  const status = { cycle: 1, lockValidUntil: 50_000 as number | null, failsafeActive: false, cycleErrors: 0 };
  const controller = { status: () => ({ ...pg, pendingRestart: false }), lastObservation: null, systemIdentifier: '7000' };
  const loop = { getStatus: () => ({ ...status, role: pg.role, state: pg.state }) };
  const dcs = { lastCluster: threeNodeCluster(), lastSeen: 1_700_000_000, lastCycleAt: 1000 };
  const dynamic = validateDynamicConfig({ ttl: 30, loop_wait: 10 }).config;
  let fenceReads = 0;
  const fence = (): FenceState => {
    fenceReads += 1; // the real one stats and reads files
    return { enabled: true, armed: true, deadline: 60_000, validUntil: 50_000, marginMs: 2000, guardPid: 1, fencedCount: 0, lastFence: null };
  };
  // Only what buildNodeState reads; the parts behind it are exercised by the API and e2e tests.
  const inputs = { name: 'node1', scope: 'demo', version: '3.3.1', loop, controller, dcs, dynamic: () => dynamic, tags: {}, fence } as unknown as StateInputs;
  return { pg, status, dcs, inputs, fenceReads: () => fenceReads };
}

describe('snapshotState', () => {
  it('hands out the same state while nothing changes, reading the fence once', () => {
    const n = node();
    let now = 0;
    const current = snapshotState(n.inputs, () => now);
    const first = current();
    for (let i = 0; i < 100; i++) {
      now += 1;
      expect(current()).toBe(first);
    }
    expect(n.fenceReads()).toBe(1);
    expect(first.state).toBe('running');
  });

  it('rebuilds at once when Postgres stops, the role changes, a cycle ends or a snapshot arrives', () => {
    const n = node();
    const current = snapshotState(n.inputs, () => 0);
    const first = current();
    n.pg.state = 'stopping';
    const stopping = current();
    expect(stopping).not.toBe(first);
    expect(stopping.state).toBe('stopping');
    n.pg.role = 'replica';
    n.pg.state = 'running';
    expect(current().role).toBe('replica');
    const before = current();
    n.status.cycle += 1;
    expect(current()).not.toBe(before);
    const beforeSnapshot = current();
    n.dcs.lastCluster = threeNodeCluster();
    expect(current()).not.toBe(beforeSnapshot);
  });

  it('rebuilds after SNAPSHOT_MAX_AGE_MS even when the key holds (fence deadline, tags changed in place)', () => {
    const n = node();
    let now = 0;
    const current = snapshotState(n.inputs, () => now);
    const first = current();
    now = SNAPSHOT_MAX_AGE_MS - 1;
    expect(current()).toBe(first);
    now = SNAPSHOT_MAX_AGE_MS;
    expect(current()).not.toBe(first);
    expect(n.fenceReads()).toBe(2);
  });
});
