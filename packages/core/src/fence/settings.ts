import { isRecord, readBool, readInt } from '../config/lenient.js';

/**
 * The local config (a pgwarden-only section; Patroni ignores unknown top-level keys):
 *
 *   pgwarden:
 *     fence: on            # off: no guard process, nothing stops a primary whose agent hangs
 *     fence_margin: 5      # seconds before the lock's validUntil at which the guard acts
 *     fence_dir: /run/pgwarden/fence   # optional; default $TMPDIR/pgwarden-fence-<hash>
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
 * Returns why the settings would fence a healthy primary, or null.
 */
export function fenceTimingProblem(ttlS: number, loopWaitS: number, marginMs: number): string | null {
  const slackMs = ttlS * 1000 - marginMs - loopWaitS * 1000;
  if (slackMs <= 0) {
    return `pgwarden.fence_margin (${marginMs / 1000}s) leaves no slack: ttl (${ttlS}) - margin must exceed loop_wait (${loopWaitS})`;
  }
  return null;
}
