/**
 * Restarts scheduled through `POST /restart` with `schedule` (spec/api.md §1.7), kept in
 * memory as Patroni keeps them (a restarted agent forgets them), published in the member
 * key and in `/patroni`, and started by the HA loop when due.
 *
 * Patroni's evaluate_scheduled_restart, at the end of each cycle with a leader in the
 * cluster, not paused, no task running: a restart more than loop_wait away waits; one
 * more than 1.5×loop_wait late is stale and dropped; otherwise it runs once, with the
 * request's filters checked then, and is forgotten whatever the outcome. A postmaster
 * that restarted since the request (its start time changed) cancels it. Patroni sleeps
 * inside the cycle until the exact time; pgwarden instead wakes the loop at that time.
 */
import { pythonDatetimeStr, systemClock, type Clock, type HaStatus, type Logger, type ScheduledRestart, type TimerHandle } from '@pgwarden/core';
import type { RestartRequest, ScheduledRestartRequest } from '../api/types.js';

export interface ScheduledRestartDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** loop_wait in seconds, from the dynamic config in force. */
  readonly loopWait: () => number;
  /** `pg_postmaster_start_time()` as the loop last saw it (epoch ms), or null. */
  readonly postmasterStartedAt: () => number | null;
  /** Runs the next HA cycle now (the member key then shows the change; a due restart starts). */
  readonly wake: () => void;
  /** Starts the restart as the loop's task; the reason when it did not start, else null. */
  readonly launch: (request: RestartRequest) => string | null;
}

interface Entry {
  readonly request: ScheduledRestartRequest;
  readonly postmasterStartedAt: number | null;
}

/** A due restart is run when the loop wakes within this of its time (timers may fire a hair early). */
const DUE_SLACK_MS = 50;

export class ScheduledRestarts {
  private entry: Entry | null = null;
  private timer: TimerHandle | null = null;
  private readonly clock: Clock;

  constructor(private readonly deps: ScheduledRestartDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** False when one is already scheduled (`409 Another restart is already scheduled`). */
  schedule(request: ScheduledRestartRequest): boolean {
    if (this.entry) return false;
    this.entry = { request, postmasterStartedAt: this.deps.postmasterStartedAt() };
    // A later one is armed by the last cycle before it (evaluate), so timers stay short.
    if (request.scheduleAt - this.clock.wallNow() <= this.deps.loopWait() * 1000) this.armTimer(request.scheduleAt);
    this.deps.wake(); // Patroni touches the member key at once.
    return true;
  }

  /** False when none was scheduled. */
  cancel(): boolean {
    if (!this.entry) return false;
    this.clear();
    this.deps.wake();
    return true;
  }

  /** For `/patroni`: the schedule and the request's filters. */
  view(): ScheduledRestart | null {
    if (!this.entry) return null;
    const r = this.entry.request;
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
    if (!this.entry) return null;
    const { request: r, postmasterStartedAt } = this.entry;
    return {
      schedule: r.schedule,
      ...(r.role !== undefined && { role: r.role }),
      ...(r.postgresVersion !== undefined && { postgres_version: r.postgresVersion }),
      ...(r.restartPending !== undefined && { restart_pending: r.restartPending }),
      ...(r.timeout !== undefined && { timeout: r.timeout }),
      postmaster_start_time: postmasterStartedAt === null ? null : pythonDatetimeStr(postmasterStartedAt / 1000),
    };
  }

  /** After each HA cycle: start the restart if it is due and the cycle allows it. */
  evaluate(status: HaStatus): void {
    const entry = this.entry;
    if (!entry || status.task || status.fatal) return;
    const started = this.deps.postmasterStartedAt();
    if (started !== null && entry.postmasterStartedAt !== null && started !== entry.postmasterStartedAt) {
      this.deps.logger.info(`Cancelling scheduled restart: postgres restart has already happened at ${pythonDatetimeStr(started / 1000)}`);
      this.clear();
      return;
    }
    // Patroni evaluates only in a healthy cycle: a leader in the cluster, Postgres running, not paused.
    if (status.paused || !status.cluster?.leader || status.state !== 'running') return;
    const loopWaitMs = this.deps.loopWait() * 1000;
    const delta = entry.request.scheduleAt - this.clock.wallNow();
    if (delta > loopWaitMs) {
      this.deps.logger.info(`Awaiting restart at ${entry.request.schedule} (in ${Math.round(delta / 1000)} seconds)`);
      return;
    }
    if (delta < -Math.trunc(loopWaitMs * 1.5)) {
      this.deps.logger.warn(`Found a stale restart value, cleaning up: ${entry.request.schedule}`);
      this.clear();
      return;
    }
    if (delta > DUE_SLACK_MS) {
      this.armTimer(entry.request.scheduleAt);
      return;
    }
    this.deps.logger.info(`Manual scheduled restart at ${entry.request.schedule}`);
    this.clear();
    const refusal = this.deps.launch(entry.request);
    if (refusal) this.deps.logger.warn(`Scheduled restart: ${refusal}`);
  }

  /** Stops the wake-up timer (agent shutdown). */
  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private clear(): void {
    this.entry = null;
    this.close();
  }

  /** Wakes the loop at the scheduled time, so the restart starts then rather than up to loop_wait later. */
  private armTimer(atEpochMs: number): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(Math.max(0, atEpochMs - this.clock.wallNow()), () => {
      this.timer = null;
      this.deps.wake();
    });
  }
}
