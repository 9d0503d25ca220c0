/**
 * The fence's timing rules (core's fenceTimingProblem) checked against the timing in
 * force: at start-up, and again whenever `/config` changes ttl, loop_wait or
 * retry_timeout, so a change that leaves the leader no time after its renewal is reported
 * when it first applies, not only after the next restart.
 */
import { fenceTimingProblem, type Logger } from '@pgwarden/core';

export interface FenceTiming {
  readonly ttl: number;
  readonly loopWait: number;
  readonly retryTimeout: number;
}

/** Returns a check to call with the current timing: it warns once per distinct timing. */
export function fenceTimingChecker(marginMs: number, logger: Logger): (timing: FenceTiming) => void {
  let last: FenceTiming | null = null;
  return (t) => {
    if (last && last.ttl === t.ttl && last.loopWait === t.loopWait && last.retryTimeout === t.retryTimeout) return;
    last = { ttl: t.ttl, loopWait: t.loopWait, retryTimeout: t.retryTimeout };
    const problem = fenceTimingProblem(t.ttl, t.loopWait, marginMs, t.retryTimeout);
    if (problem) logger.warn(`fence: ${problem}`);
  };
}
