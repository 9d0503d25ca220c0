/**
 * `primary_stop_timeout` (dynamic config; `master_stop_timeout` before Patroni 4): in
 * synchronous mode, how long a stop of Postgres may take before the postmaster is
 * killed. Synchronous mode is where a slow stop hurts: writes wait on the old primary
 * while nothing else can promote. 0 (the default) or a cluster not in synchronous mode
 * leaves the stop bounded only by pgwarden's own limits.
 */
export interface StopTimeoutSettings {
  /** Seconds; 0 = not set. */
  readonly primaryStopTimeout: number;
  readonly synchronousMode: boolean;
  /** A standby cluster has no synchronous replication to protect. */
  readonly standbyCluster: unknown;
}

/** Milliseconds the stop may take, or null when primary_stop_timeout does not apply. */
export function primaryStopTimeoutMs(config: StopTimeoutSettings): number | null {
  if (config.primaryStopTimeout <= 0 || !config.synchronousMode || config.standbyCluster !== null) return null;
  return config.primaryStopTimeout * 1000;
}

/** The tighter of a stop's own bound and primary_stop_timeout (when it applies). */
export function boundedStopMs(ownLimitMs: number | undefined, config: StopTimeoutSettings): number | undefined {
  const primary = primaryStopTimeoutMs(config);
  if (primary === null) return ownLimitMs;
  return ownLimitMs === undefined ? primary : Math.min(ownLimitMs, primary);
}
