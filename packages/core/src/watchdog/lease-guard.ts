/**
 * The Linux watchdog device as a lease guard (spec/ha.md §3.11): activated before
 * promotion and after bootstrap, fed by every arm (Patroni's keepalive after each lock
 * update), closed by disarm (Patroni disables it at the demotion's safepoint and in pause).
 */
import type { LeaseGuard } from '../ha/lease-guard.js';
import type { HaWatchdog } from '../ha/ports.js';

export function watchdogLeaseGuard(watchdog: HaWatchdog): LeaseGuard {
  return {
    readiness: (timing) => ({ mode: watchdog.mode, running: watchdog.isRunning(), healthy: watchdog.isHealthy(timing) }),
    activate: (timing) => watchdog.isRunning() || watchdog.activate(timing),
    arm: async (_lease, timing) => {
      // A device that was never activated (a replica that holds no promotion) stays closed.
      if (watchdog.isRunning()) watchdog.keepalive(timing);
    },
    disarm: async () => {
      if (watchdog.isRunning()) watchdog.disable();
    },
  };
}
