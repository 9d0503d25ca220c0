/**
 * A restart scheduled through `POST /restart` with `schedule` (spec/api.md §1.7). The node
 * keeps it in the engine's memory (a restarted agent forgets it, as Patroni does); decide()
 * evaluates it every cycle (decide/scheduled-restart.ts).
 */
export interface ScheduledRestartEntry {
  /** Epoch milliseconds. */
  readonly scheduleAt: number;
  /** ISO 8601 with the client's offset, as reported back. */
  readonly schedule: string;
  /** Restart only a node with this role. */
  readonly role?: 'primary' | 'replica';
  /** Restart only if the running version is lower than this (`X.Y` or `X.Y.Z`). */
  readonly postgresVersion?: string;
  /** Present when the request carried `restart_pending`: restart only with a pending restart. */
  readonly restartPending?: boolean;
  /** Seconds; bounds the restart. */
  readonly timeout?: number;
  /** `pg_postmaster_start_time()` when it was scheduled (epoch ms): a restart since cancels it. */
  readonly postmasterStartedAt: number | null;
}

/** `X.Y` (10+) or `X.Y.Z` as server_version_num. */
export function serverVersionNumber(text: string): number {
  const [a = 0, b = 0, c = 0] = text.split('.').map((p) => Number.parseInt(p, 10));
  return a >= 10 ? a * 10000 + b : a * 10000 + b * 100 + c;
}
