import type { ConfigChecker } from '@pgwarden/core';

/**
 * `start`: what the daemon checks before it starts (types, required keys, formats).
 * `full`: `--validate-config`, which adds Patroni's checks that depend on this host or
 * that single-host test setups break on purpose: loopback connect addresses, the
 * data directory and binaries on disk, nofailover together with failover_priority.
 */
export type ValidationMode = 'start' | 'full';

export interface SectionContext {
  readonly checker: ConfigChecker;
  readonly mode: ValidationMode;
  /** Accepted but worth telling the operator (logged at start). */
  readonly warnings: string[];
  /** The DCS adapter could not be imported (already reported); don't report its absence twice. */
  readonly adapterLoadFailed?: boolean;
}
