import { isRecord, readBool, readInt } from '../config/lenient.js';
import { postRefreshCallsEndBy } from '../ha/post-refresh-budget.js';

/**
 * The local config (a pgwarden-only section; Patroni ignores unknown top-level keys):
 *
 *   pgwarden:
 *     fence: on            # off: no guard process, nothing stops a primary whose agent hangs
 *     fence_margin: 5      # seconds before the lock's validUntil at which the guard acts
 *     fence_dir: /run/pgwarden/fence   # optional; default pgwarden-fence-<hash> in $TMPDIR or /dev/shm (state-dir.ts)
 */
export interface FenceSettings {
  readonly enabled: boolean;
  readonly marginMs: number;
  readonly stateDir: string | null;
}

export const DEFAULT_FENCE_MARGIN_S = 5;

export function readFenceSettings(pgwardenSection: unknown): FenceSettings {
  const s = isRecord(pgwardenSection) ? pgwardenSection : {};
  const margin = readInt(s['fence_margin'], DEFAULT_FENCE_MARGIN_S);
  return {
    enabled: readBool(s['fence'], true),
    marginMs: Math.max(1, margin) * 1000,
    stateDir: typeof s['fence_dir'] === 'string' && s['fence_dir'] !== '' ? s['fence_dir'] : null,
  };
}

/**
 * The guard acts at validUntil − margin, where validUntil ≈ renewal + ttl. A healthy loop
 * renews every loop_wait, so it must have slack: ttl − margin > loop_wait (the same rule
 * as Patroni's watchdog: timeout = ttl − safety_margin, slack = timeout − loop_wait).
 * With `retryTimeoutS`, the leader must also keep time after each renewal for its other
 * DCS writes (member key, /status, /history): they must end early enough for the next
 * read and renewal (each up to retry_timeout) and a demotion to come before the guard
 * acts (post-refresh-budget.ts). Without that time every such write is refused, and the
 * leader's member key keeps the role and timeline it had before it was promoted.
 * Returns why the settings would fence a healthy primary or starve its writes, or null.
 */
export function fenceTimingProblem(ttlS: number, loopWaitS: number, marginMs: number, retryTimeoutS?: number): string | null {
  const slackMs = ttlS * 1000 - marginMs - loopWaitS * 1000;
  if (slackMs <= 0) {
    return `pgwarden.fence_margin (${marginMs / 1000}s) leaves no slack: ttl (${ttlS}) - margin must exceed loop_wait (${loopWaitS})`;
  }
  if (retryTimeoutS !== undefined && postRefreshCallsEndBy({ validUntil: ttlS * 1000 }, retryTimeoutS * 1000, marginMs) <= 0) {
    return (
      `pgwarden.fence_margin (${marginMs / 1000}s) with ttl ${ttlS} and retry_timeout ${retryTimeoutS} leaves the leader no time ` +
      'for its member key, /status and /history after a renewal: ttl - fence_margin - 2 x retry_timeout must exceed 1 s; ' +
      'raise ttl or lower fence_margin or retry_timeout'
    );
  }
  return null;
}
