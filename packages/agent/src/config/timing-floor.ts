/**
 * How low `ttl`, `loop_wait` and `retry_timeout` may go on this node. Patroni's floor
 * (ttl 20) keeps a primary whose agent stalls from outliving its lock; with
 * `pgwarden.fast_failover: on` the floor drops to ttl 8 / retry_timeout 2, but only where
 * something else stops such a primary in time: the fence, or a watchdog in `required` mode.
 */
import { FAST_FAILOVER_MINIMUM_TIMING, MINIMUM_TIMING, readBool, readFenceSettings, type DcsTiming } from '@pgwarden/core';
import { isRecord } from './records.js';

export interface TimingFloor {
  readonly floor: DcsTiming;
  /** Why fast_failover was asked for and not granted; null otherwise. */
  readonly warning: string | null;
}

export function timingFloorOf(raw: unknown): TimingFloor {
  const doc = isRecord(raw) ? raw : {};
  const section = isRecord(doc['pgwarden']) ? doc['pgwarden'] : {};
  if (!readBool(section['fast_failover'], false)) return { floor: MINIMUM_TIMING, warning: null };
  const watchdog = isRecord(doc['watchdog']) ? doc['watchdog'] : {};
  const watchdogRequired = String(watchdog['mode'] ?? '').toLowerCase() === 'required';
  if (readFenceSettings(section).enabled || watchdogRequired) return { floor: FAST_FAILOVER_MINIMUM_TIMING, warning: null };
  return {
    floor: MINIMUM_TIMING,
    warning:
      'pgwarden.fast_failover is on but neither the fence (pgwarden.fence) nor a required watchdog (watchdog.mode: required) guards this node; ' +
      `keeping the minimum ttl ${MINIMUM_TIMING.ttl} and retry_timeout ${MINIMUM_TIMING.retryTimeout}. Turn the fence on to use a shorter ttl.`,
  };
}
