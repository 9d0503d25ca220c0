import { describe, expect, it } from 'vitest';
import { DISABLED_FENCE, systemClock, type FenceState } from '@pgwarden/core';
import { nodeFenceState } from '../../src/daemon/state-source.js';

const armed = (deadline: number | null, fencedCount = 0): FenceState => ({
  enabled: true,
  armed: deadline !== null,
  deadline,
  validUntil: deadline === null ? null : deadline + 5_000,
  marginMs: 5_000,
  guardPid: 4242,
  fencedCount,
  lastFence: null,
});

describe('nodeFenceState (the daemon feeding the API)', () => {
  it('converts the monotonic deadline to epoch seconds at read time', () => {
    const before = Date.now();
    const state = nodeFenceState(armed(systemClock.now() + 10_000, 2));
    const after = Date.now();
    expect(state?.armed).toBe(true);
    expect(state?.fencedCount).toBe(2);
    expect(state!.deadline! * 1000).toBeGreaterThanOrEqual(before + 10_000 - 5);
    expect(state!.deadline! * 1000).toBeLessThanOrEqual(after + 10_000 + 5);
  });

  it('reports a disarmed fence with no deadline', () => {
    expect(nodeFenceState(armed(null, 1))).toEqual({ armed: false, deadline: null, fencedCount: 1 });
  });

  it('is null while the fence is off', () => {
    expect(nodeFenceState(null)).toBeNull();
    expect(nodeFenceState(DISABLED_FENCE.state())).toBeNull();
  });
});
