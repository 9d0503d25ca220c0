/**
 * When the controller lets an earlier monitoring answer serve (ObserveOptions.observedSince):
 * only when it was asked for late enough, nothing acted on Postgres since it was asked for, and
 * the same postmaster runs in the same state and role.
 */
import { describe, expect, it } from 'vitest';
import type { ControllerStatus } from '../../src/index.js';
import { ObservationMemo } from '../../src/postgres/local/observation-memo.js';
import { observation } from '../ha/fixtures.js';

const RUNNING: ControllerStatus = { state: 'running', role: 'primary', postmasterPid: 100, pendingRestart: false, pendingRestartReason: {} };

function remembered(at = 1000): { memo: ObservationMemo; obs: ReturnType<typeof observation> } {
  const memo = new ObservationMemo();
  const obs = observation({ observedAt: at });
  memo.remember(obs, RUNNING, memo.begin());
  return { memo, obs };
}

describe('ObservationMemo', () => {
  it('serves the last answer when its query was sent since the instant given, and never without one', () => {
    const { memo, obs } = remembered(1000);
    expect(memo.recall(1000, RUNNING)).toBe(obs);
    expect(memo.recall(900, RUNNING)).toBe(obs);
    expect(memo.recall(1001, RUNNING)).toBeNull();
    expect(memo.recall(undefined, RUNNING)).toBeNull();
  });

  it('an action on Postgres makes the next ask query again', () => {
    const { memo } = remembered();
    memo.changed();
    expect(memo.recall(0, RUNNING)).toBeNull();
  });

  it('an answer to a query sent before an action is not kept', () => {
    const memo = new ObservationMemo();
    const token = memo.begin();
    memo.changed(); // a reload, say, while the query was on its way
    memo.remember(observation({ observedAt: 1000 }), RUNNING, token);
    expect(memo.recall(0, RUNNING)).toBeNull();
  });

  it('another postmaster, state or role: the answer no longer holds', () => {
    const { memo } = remembered();
    expect(memo.recall(0, { ...RUNNING, postmasterPid: 101 })).toBeNull();
    expect(memo.recall(0, { ...RUNNING, state: 'stopped', postmasterPid: null })).toBeNull();
    expect(memo.recall(0, { ...RUNNING, role: 'promoted' })).toBeNull();
  });
});
