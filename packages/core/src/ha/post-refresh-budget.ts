/**
 * After the lock holder renews its lock, the rest of its cycle's DCS calls (/status,
 * /failsafe, its member key, /sync, /history…) must leave room for what follows should
 * the DCS stop answering right after the renewal: the next cycle's read and renewal,
 * each up to retry_timeout, and the demotion they lead to — all before the guard (fence,
 * watchdog) acts. Unbounded, each of those calls could take its own retry_timeout, and a
 * leader cut off from a DCS that had just renewed its lease learned of it too late to
 * stop Postgres itself: the guard did.
 */

/** Time to issue the demotion's stop once the DCS is known unreachable. */
export const DEMOTE_ALLOWANCE_MS = 1000;

/** The instant (Clock.now) by which every DCS call after a renewal must have ended. */
export function postRefreshCallsEndBy(lock: { readonly validUntil: number }, retryTimeoutMs: number, guardActsBeforeMs: number): number {
  return lock.validUntil - guardActsBeforeMs - 2 * retryTimeoutMs - DEMOTE_ALLOWANCE_MS;
}
