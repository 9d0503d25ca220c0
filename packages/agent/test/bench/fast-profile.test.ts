/**
 * The profile the bench and the soak run must be one an operator can actually use: the
 * agents keep it as written under `pgwarden.fast_failover`, and the fence margin leaves a
 * healthy primary slack to renew.
 */
import { describe, expect, it } from 'vitest';
import { FAST_FAILOVER_MINIMUM_TIMING, fenceTimingProblem, normalizeTiming } from '@pgwarden/core';
import { FAST_FENCE_MARGIN_S, FAST_PROFILE } from '../../bench/fast-profile.js';

describe('the fast profile the bench runs', () => {
  it('is ttl 7 / loop_wait 1 / retry_timeout 2, and its label says so', () => {
    expect(FAST_PROFILE).toMatchObject({ ttl: 7, loopWait: 1, retryTimeout: 2 });
    expect(FAST_PROFILE.label).toBe(`${FAST_PROFILE.ttl}/${FAST_PROFILE.loopWait}/${FAST_PROFILE.retryTimeout}`);
  });

  it('is kept as written by the fast_failover floor, not raised', () => {
    const kept = normalizeTiming(FAST_PROFILE, FAST_FAILOVER_MINIMUM_TIMING);
    expect(kept).toMatchObject({ ttl: FAST_PROFILE.ttl, loopWait: FAST_PROFILE.loopWait, retryTimeout: FAST_PROFILE.retryTimeout, adjustments: [] });
  });

  it('leaves a healthy primary slack before the fence acts', () => {
    expect(fenceTimingProblem(FAST_PROFILE.ttl, FAST_PROFILE.loopWait, FAST_FENCE_MARGIN_S * 1000)).toBeNull();
  });
});
