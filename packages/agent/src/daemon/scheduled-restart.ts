/**
 * Restarts scheduled through `POST /restart` with `schedule` (spec/api.md §1.7), as the
 * REST API and the member key see them. The HA engine keeps the one scheduled restart in
 * its memory and decides when it runs (core's decide/scheduled-restart.ts, Patroni's
 * evaluate_scheduled_restart); this only translates between the API's request, the
 * engine's entry, `/patroni`'s view and the member key's JSON.
 */
import { pythonDatetimeStr, type ScheduledRestart, type ScheduledRestartEntry } from '@pgwarden/core';
import type { ScheduledRestartRequest } from '../api/types.js';

/** The node's side: where the entry lives (HaNode has these). */
export interface ScheduledRestartHolder {
  scheduleRestart(entry: ScheduledRestartEntry): boolean;
  cancelScheduledRestart(): boolean;
  scheduledRestart(): ScheduledRestartEntry | null;
}

export class ScheduledRestarts {
  constructor(
    private readonly node: ScheduledRestartHolder,
    /** `pg_postmaster_start_time()` as the loop last saw it (epoch ms), or null. */
    private readonly postmasterStartedAt: () => number | null,
  ) {}

  /** False when one is already scheduled (`409 Another restart is already scheduled`). */
  schedule(request: ScheduledRestartRequest): boolean {
    return this.node.scheduleRestart({
      scheduleAt: request.scheduleAt,
      schedule: request.schedule,
      ...(request.role !== undefined && { role: request.role }),
      ...(request.postgresVersion !== undefined && { postgresVersion: request.postgresVersion }),
      ...(request.restartPending !== undefined && { restartPending: request.restartPending }),
      ...(request.timeout !== undefined && { timeout: request.timeout }),
      postmasterStartedAt: this.postmasterStartedAt(),
    });
  }

  /** False when none was scheduled. */
  cancel(): boolean {
    return this.node.cancelScheduledRestart();
  }

  /** For `/patroni`: the schedule and the request's filters. */
  view(): ScheduledRestart | null {
    const r = this.node.scheduledRestart();
    if (!r) return null;
    return {
      schedule: r.schedule,
      ...(r.role !== undefined && { role: r.role }),
      ...(r.postgresVersion !== undefined && { postgresVersion: r.postgresVersion }),
      ...(r.restartPending !== undefined && { restartPending: r.restartPending }),
      ...(r.timeout !== undefined && { timeout: r.timeout }),
    };
  }

  /** For the member key (patronictl list and flush read it): Patroni's field names, plus the postmaster start time it keeps. */
  memberJson(): Record<string, unknown> | null {
    const r = this.node.scheduledRestart();
    if (!r) return null;
    return {
      schedule: r.schedule,
      ...(r.role !== undefined && { role: r.role }),
      ...(r.postgresVersion !== undefined && { postgres_version: r.postgresVersion }),
      ...(r.restartPending !== undefined && { restart_pending: r.restartPending }),
      ...(r.timeout !== undefined && { timeout: r.timeout }),
      postmaster_start_time: r.postmasterStartedAt === null ? null : pythonDatetimeStr(r.postmasterStartedAt / 1000),
    };
  }
}
