/**
 * Patroni's evaluate_scheduled_restart, at the end of a cycle: only in a healthy one (a
 * leader in the cluster, Postgres running, not paused, no task). A restart more than
 * loop_wait away waits; one more than 1.5×loop_wait late is stale and dropped; otherwise
 * it runs once, with the request's filters checked then, and is forgotten whatever the
 * outcome. A postmaster that restarted since the request cancels it. Patroni sleeps in the
 * cycle until the exact time; pgwarden asks the loop to wake then instead.
 */
import { pythonDatetimeStr } from '../../health/python-time.js';
import type { Action } from '../actions.js';
import { serverVersionNumber, type ScheduledRestartEntry } from '../scheduled-restart.js';
import type { Ctx } from './context.js';

/** A restart is run when the loop wakes within this of its time (timers may fire a hair early). */
const DUE_SLACK_MS = 50;

const FORGET: Action = { type: 'remember', patch: { scheduledRestart: null } };

export function scheduledRestartActions(ctx: Ctx): Action[] {
  const entry = ctx.memory.scheduledRestart;
  if (!entry || ctx.view.task) return [];
  const started = ctx.local.observation?.postmasterStartedAt ?? null;
  if (started !== null && entry.postmasterStartedAt !== null && started !== entry.postmasterStartedAt) {
    return [FORGET, log('info', `Cancelling scheduled restart: postgres restart has already happened at ${pythonDatetimeStr(started / 1000)}`)];
  }
  if (ctx.paused || !ctx.cluster.leader || ctx.local.status.state !== 'running') return [];
  const delta = entry.scheduleAt - ctx.view.wallNow;
  if (delta > ctx.loopWaitMs) return [log('info', `Awaiting restart at ${entry.schedule} (in ${Math.round(delta / 1000)} seconds)`)];
  if (delta < -Math.trunc(ctx.loopWaitMs * 1.5)) return [FORGET, log('warn', `Found a stale restart value, cleaning up: ${entry.schedule}`)];
  if (delta > DUE_SLACK_MS) return [{ type: 'wakeAt', epochMs: entry.scheduleAt }];
  const actions: Action[] = [FORGET, log('info', `Manual scheduled restart at ${entry.schedule}`)];
  if (!conditionsMet(ctx, entry)) return [...actions, log('warn', 'Scheduled restart: restart conditions are not satisfied')];
  const timeoutMs = entry.timeout === undefined ? null : entry.timeout * 1000;
  return [...actions, { type: 'restart', task: 'restart', role: ctx.isPrimary ? 'primary' : 'replica', timeoutMs }];
}

function conditionsMet(ctx: Ctx, entry: ScheduledRestartEntry): boolean {
  if (entry.role && (entry.role === 'primary') !== ctx.isPrimary) return false;
  const version = ctx.local.observation?.serverVersion ?? 0;
  if (entry.postgresVersion && !(version < serverVersionNumber(entry.postgresVersion))) return false;
  if (entry.restartPending !== undefined && !ctx.local.status.pendingRestart) return false;
  return true;
}

function log(level: 'info' | 'warn', message: string): Action {
  return { type: 'log', level, message };
}
