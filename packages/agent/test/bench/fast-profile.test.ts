/**
 * The profile the bench and the soak run must be one an operator can use as it is: the
 * agents keep it under `pgwarden.fast_failover`, the fence margin leaves a healthy primary
 * slack to renew, and the leader keeps time after each renewal for its member key,
 * /status and /history (a profile without it fails over fine, but the new leader's member
 * key never shows its promotion, and a diverged old primary is never rewound).
 */
import { describe, expect, it } from 'vitest';
import { FAST_FAILOVER_MINIMUM_TIMING, fenceTimingProblem, normalizeTiming } from '@pgwarden/core';
import { FAST_FENCE_MARGIN_S, FAST_PROFILE } from '../../bench/fast-profile.js';
import { killPhaseDelayMs } from '../../bench/fast-profile-rounds.js';

describe('the fast profile the bench runs', () => {
  it('is kept as written by the fast_failover floor, not raised', () => {
    expect(normalizeTiming(FAST_PROFILE, FAST_FAILOVER_MINIMUM_TIMING)).toMatchObject({
      ttl: FAST_PROFILE.ttl,
      loopWait: FAST_PROFILE.loopWait,
      retryTimeout: FAST_PROFILE.retryTimeout,
      adjustments: [],
    });
  });

  it('leaves slack before the fence acts, and time for the leader\'s writes after each renewal', () => {
    expect(fenceTimingProblem(FAST_PROFILE.ttl, FAST_PROFILE.loopWait, FAST_FENCE_MARGIN_S * 1000, FAST_PROFILE.retryTimeout)).toBeNull();
  });

  it('kills at a random point of the leader\'s cycle: anywhere in one loop_wait', () => {
    expect(killPhaseDelayMs(1, () => 0)).toBe(0);
    expect(killPhaseDelayMs(1, () => 0.999)).toBe(999);
    expect(killPhaseDelayMs(10, () => 0.5)).toBe(5000);
  });
});
