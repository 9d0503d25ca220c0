/**
 * The lease guard: whatever stops this node's Postgres when the agent cannot renew the
 * leader lock in time. The fence (a guard process outside the agent) and the Linux
 * watchdog device are two implementations; the simulation's fence is a third. The engine
 * drives it only through actions decide() returns:
 *
 * - `armLeaseGuard` after every outcome that gives us the lock for a while (acquired,
 *   renewed, taken after bootstrap, kept by failsafe), so a promotion is covered from its
 *   first instant: the arm comes before `promote` in the same cycle.
 * - `settleLeaseGuard` at the end of every cycle: disarm once nothing of ours can accept
 *   writes under a lock we hold or held (see leaseGuardSettlement), or when paused.
 * - the demotion sequences disarm at their safepoint (Postgres stopped).
 */
export interface LeaseTiming {
  readonly ttl: number;
  readonly loopWait: number;
}

/** What the leader race needs to know about a guard that must be activated (the watchdog). */
export interface LeaseGuardReadiness {
  readonly mode: 'off' | 'automatic' | 'required';
  readonly running: boolean;
  /** False when `required` and leading would fail: such a node stays out of the race. */
  readonly healthy: boolean;
}

export interface LeaseGuard {
  /** Null when nothing needs activating before this node leads. */
  readiness(timing: LeaseTiming): LeaseGuardReadiness | null;
  /** Before promotion and after bootstrap; false only when a `required` part could not start. */
  activate(timing: LeaseTiming): boolean;
  /**
   * Stop the Postgres whose postmaster is `postmasterPid` (the running one if null)
   * before `validUntil` (monotonic ms) unless armed again. Must not throw.
   */
  arm(lease: { readonly validUntil: number; readonly postmasterPid: number | null }, timing: LeaseTiming): Promise<void>;
  /** Nothing of ours can accept writes under our lock any more. Idempotent; must not throw. */
  disarm(reason: string): Promise<void>;
  /** How long before `validUntil` this guard acts (the fence's margin); absent: at `validUntil`. */
  actsBeforeExpiryMs?(): number;
}

/** For a node that wants no guard (tests, tooling): every call does nothing. */
export const NO_LEASE_GUARD: LeaseGuard = Object.freeze({
  readiness: () => null,
  activate: () => true,
  arm: async () => undefined,
  disarm: async () => undefined,
});

/** Several guards behind one port (the daemon's fence and watchdog). */
export function combineLeaseGuards(...guards: readonly LeaseGuard[]): LeaseGuard {
  if (guards.length === 1) return guards[0]!;
  return {
    readiness: (timing) => guards.map((g) => g.readiness(timing)).find((r) => r !== null) ?? null,
    activate: (timing) => guards.every((g) => g.activate(timing)),
    arm: async (lease, timing) => {
      await Promise.all(guards.map((g) => g.arm(lease, timing)));
    },
    actsBeforeExpiryMs: () => Math.max(0, ...guards.map((g) => g.actsBeforeExpiryMs?.() ?? 0)),
    disarm: async (reason) => {
      await Promise.all(guards.map((g) => g.disarm(reason)));
    },
  };
}

/**
 * The end-of-cycle rule. Paused: operators own the cluster, nothing is guarded (as
 * Patroni disables its watchdog in pause). Otherwise the guard stays armed while we hold
 * the lock, and also after losing it for as long as Postgres may still accept writes
 * (a demotion not yet at its safepoint): that is the window the guard exists for.
 */
export function leaseGuardSettlement(s: { readonly paused: boolean; readonly holdsLock: boolean; readonly mayAcceptWrites: boolean }): 'keep' | 'disarm' {
  if (s.paused) return 'disarm';
  if (s.holdsLock || s.mayAcceptWrites) return 'keep';
  return 'disarm';
}
