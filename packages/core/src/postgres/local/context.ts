import type { Logger } from '../../logger.js';
import type { Clock } from '../../time/clock.js';
import type { Binaries } from './binaries.js';
import type { LocalConnectionTarget } from './connection.js';
import type { LocalPostgresConfig } from './options.js';
import type { RunAs } from './run-as.js';

/** What the helper modules (bootstrap, clone, rewind, slots) share with the controller. */
export interface LocalContext {
  readonly config: LocalPostgresConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runAs: RunAs | null;
  readonly dataDir: string;
  readonly configDir: string;
  readonly pgpassPath: string;
  /** Superuser over the local Unix socket. */
  readonly local: LocalConnectionTarget;
  binaries(): Promise<Binaries | import('../result.js').PgFailure>;
  /**
   * The parameters the postmaster gets on its command line (the forced ones: wal_log_hints,
   * wal_level, max_connections…). Single-user mode must get them too, as Patroni passes
   * postmaster.opts: they are not in postgresql.conf.
   */
  commandLineParameters(): Promise<Readonly<Record<string, string>>>;
}

/** Remaining milliseconds until a Clock deadline (never negative). */
export function remaining(clock: Clock, deadline: number): number {
  return Math.max(0, deadline - clock.now());
}
