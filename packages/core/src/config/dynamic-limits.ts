/**
 * Upper limits of the dynamic settings counted in seconds. Each of them becomes a
 * timer or a DCS lease, and both have a ceiling:
 * - Node's setTimeout holds at most 2^31-1 ms (24.8 days); a longer delay is silently
 *   set to 1 ms. With retry_timeout = 2,147,484 s every DCS call timed out after 1 ms;
 *   with that loop_wait the HA loop spun without pause.
 * - A DCS lease has its own ceiling: Consul refuses session TTLs above 86,400 s, and a
 *   ttl longer than the store can hold would leave the leader key without a lease.
 *
 * pgwarden therefore refuses (as an issue, so a /config carrying one is not applied):
 * - ttl, loop_wait, retry_timeout above one day (86,400 s). Patroni has no upper bound;
 *   nobody runs a lock that takes more than a day to expire.
 * - primary_start_timeout, primary_stop_timeout above 2,147,483 s, the largest whole
 *   number of seconds a timer can wait. They need no lease, so they get the timer's
 *   own limit: a very large value keeps meaning "practically never".
 * Non-finite numbers (1e400 reads as Infinity) are refused by the integer reader.
 */
import type { IntRule } from './checker.js';

/** Largest whole number of seconds whose milliseconds fit a Node.js timer (2^31-1 ms). */
export const TIMER_LIMIT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** One day: the ceiling of ttl, loop_wait and retry_timeout. */
export const MAX_TIMING_SECONDS = 86_400;

interface SecondsLimit {
  /** The lowest usable value; below it the value is refused (`enforced`) or raised with an adjustment. */
  readonly min: number;
  readonly enforced: boolean;
  readonly max: number;
  /** What the operator should write instead, e.g. `ttl: 30`. */
  readonly example: string;
  /** Why the ceiling, in words. */
  readonly why: string;
}

export type SecondsKey = 'ttl' | 'loop_wait' | 'retry_timeout' | 'primary_start_timeout' | 'primary_stop_timeout';

const LEASE_AND_TIMER = 'one day, as a longer value does not fit a DCS lease and overflows timers';
const TIMER = `the longest a timer can wait (about 24.8 days)`;

/** Keyed by the dynamic-config key (new names; the legacy ones resolve to them first). */
export const SECONDS_LIMITS: Readonly<Record<SecondsKey, SecondsLimit>> = {
  // Below their minimums these are raised with an adjustment, as Patroni does (dcs/timing.ts).
  ttl: { min: 20, enforced: false, max: MAX_TIMING_SECONDS, example: 'ttl: 30', why: LEASE_AND_TIMER },
  loop_wait: { min: 1, enforced: false, max: MAX_TIMING_SECONDS, example: 'loop_wait: 10', why: LEASE_AND_TIMER },
  retry_timeout: { min: 3, enforced: false, max: MAX_TIMING_SECONDS, example: 'retry_timeout: 10', why: LEASE_AND_TIMER },
  primary_start_timeout: { min: 0, enforced: true, max: TIMER_LIMIT_SECONDS, example: 'primary_start_timeout: 300', why: TIMER },
  primary_stop_timeout: { min: 0, enforced: true, max: TIMER_LIMIT_SECONDS, example: 'primary_stop_timeout: 0 (no limit)', why: TIMER },
};

/** The integer rule of a seconds setting: lenient as Patroni reads it, bounded as above. */
export function secondsRule(key: SecondsKey): IntRule {
  const limit = SECONDS_LIMITS[key];
  return {
    lenient: true,
    ...(limit.enforced && { min: limit.min }),
    max: limit.max,
    hint: `${key} is in seconds, allowed range ${limit.min}..${limit.max} (the maximum is ${limit.why}); write e.g. ${limit.example}`,
  };
}
