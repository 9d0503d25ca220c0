/**
 * What each long action runs as the single async task (bootstrap, clone, promote,
 * restart, rewind, graceful demotion…): the Postgres calls in order, and what the
 * result tells the next cycle.
 */
import type { PgResult } from '../postgres/result.js';
import type { UpstreamNode } from '../postgres/upstream.js';
import type { AsyncAction } from './actions.js';
import type { CycleState } from './cycle-state.js';
import { AFTER_RELEASE_MS, newLeaderToFollow, stopForDemotion, type DemoteDeps } from './demote.js';
import { watchLeaderTaken } from './leader-taken.js';
import type { ExecutionContext, ExecutorDeps } from './executor.js';
import type { HaPostgres } from './ports.js';
import { primaryStopTimeoutMs } from './primary-stop-timeout.js';
import type { TaskBody, TaskOutcome } from './task-runner.js';
import type { TaskKind } from './view.js';

export function demoteDeps(deps: ExecutorDeps, ctx: ExecutionContext): DemoteDeps {
  return {
    dcs: deps.dcs,
    postgres: deps.postgres,
    clock: deps.clock,
    logger: deps.logger,
    me: deps.node.name,
    retryTimeoutMs: ctx.config.timing.retryTimeout * 1000,
    syncMode: ctx.config.synchronousMode,
    primaryStopTimeoutMs: primaryStopTimeoutMs(ctx.config),
    guardActsBeforeExpiryMs: deps.guard.actsBeforeExpiryMs?.() ?? 0,
  };
}

interface TaskSpec {
  readonly kind: TaskKind;
  readonly name: string;
  readonly run: TaskBody;
}

function result(r: PgResult<unknown> | PgResult): TaskOutcome {
  if (r.ok) return { ok: true, value: 'value' in r ? r.value : undefined };
  return { ok: false, code: r.code, message: r.message };
}

export function taskBody(
  action: AsyncAction,
  postgres: HaPostgres,
  loopWaitMs: number,
  deps: ExecutorDeps,
  ctx: ExecutionContext,
  state: CycleState,
): TaskSpec {
  switch (action.type) {
    case 'bootstrap': {
      const remote = action.standbyLeader;
      if (remote) return { kind: 'bootstrap', name: `clone from remote member ${remote.connUrl ?? '(restore_command)'}`, run: (signal) => bootstrapStandbyLeader(postgres, remote, signal) };
      return { kind: 'bootstrap', name: 'bootstrap', run: async (signal) => result(await postgres.bootstrap({ signal })) };
    }
    case 'postBootstrap':
      return { kind: 'post-bootstrap', name: 'post_bootstrap', run: async (signal) => result(await postgres.postBootstrap({ signal })) };
    case 'clone':
      return {
        kind: 'clone',
        name: action.task,
        run: async (signal) => {
          const r = await postgres.clone({ upstream: action.source }, { signal });
          if (!r.ok) {
            await postgres.removeDataDirectory({ signal });
            return result(r);
          }
          const f = await postgres.follow({ upstream: action.source, role: 'replica' }, { signal });
          return f.ok ? { ok: true, value: { upstream: action.source, role: 'replica' } } : result(f);
        },
      };
    case 'reinitialize':
      return {
        kind: 'reinitialize',
        name: action.task,
        run: async (signal) => {
          await postgres.stop('immediate', { checkpoint: false, signal });
          const removed = await postgres.removeDataDirectory({ signal });
          if (!removed.ok) return result(removed);
          const r = await postgres.clone({ upstream: action.source }, { signal });
          if (!r.ok) return result(r);
          const f = await postgres.follow({ upstream: action.source, role: 'replica' }, { signal });
          return f.ok ? { ok: true, value: { upstream: action.source, role: 'replica' } } : result(f);
        },
      };
    case 'promote':
      return { kind: 'promote', name: 'promote', run: async (signal) => result(await postgres.promote({ signal, waitMs: loopWaitMs })) };
    case 'startPostgres':
      return {
        kind: 'start',
        name: action.task,
        run: async (signal) => {
          const r = await postgres.start({ role: action.role, upstream: action.upstream, signal });
          return r.ok ? { ok: true, value: { upstream: action.upstream, role: action.role === 'standby_leader' ? 'standby_leader' : 'replica' } } : result(r);
        },
      };
    case 'restart':
      return {
        kind: 'restart',
        name: action.task,
        run: async (signal) => result(await postgres.restart({ role: action.role, signal, ...(action.timeoutMs !== null && { timeoutMs: action.timeoutMs }) })),
      };
    case 'rewind':
      return { kind: 'rewind', name: action.task, run: async (signal) => result(await postgres.rewind(action.leader, { signal })) };
    case 'crashRecovery':
      return {
        kind: 'crash-recovery',
        name: 'doing crash recovery in a single user mode',
        run: async (signal) => result(await postgres.crashRecovery({ signal })),
      };
    case 'copyLogicalSlots':
      return {
        kind: 'copy-logical-slots',
        name: action.task,
        run: async (signal) => result(await postgres.copyLogicalSlots({ leader: action.leader, slots: action.slots }, { signal })),
      };
    case 'demote':
      return {
        kind: 'demote',
        name: action.task,
        run: async (signal) => {
          // graceful: CHECKPOINT first so the shutdown checkpoint is short, then a fast stop.
          const d = demoteDeps(deps, ctx);
          const stopped = await stopForDemotion(d, 'graceful', state.lockValidUntil);
          // A failed stop leaves a primary running: keep it guarded (Patroni's safepoint never came).
          if (stopped) await deps.guard.disarm('demoted (graceful)');
          const control = await postgres.controlData({ timeoutMs: d.retryTimeoutMs });
          const lastLsn = control.ok ? control.value.checkpointLsn : undefined;
          if (!stopped) return { ok: false, message: 'could not stop PostgreSQL' };
          const taken = watchLeaderTaken(deps.dcs, deps.clock, [d.me]);
          await deps.dcs.releaseLeader(lastLsn === undefined ? {} : { lastLsn });
          await taken.wait(AFTER_RELEASE_MS);
          const upstream = await newLeaderToFollow(d);
          if (d.syncMode) await postgres.setSynchronousStandbyNames(null, { timeoutMs: d.retryTimeoutMs });
          const f = await postgres.follow({ upstream, role: 'replica' }, { signal });
          return f.ok ? { ok: true, value: { upstream, role: 'replica', released: true } } : result(f);
        },
      };
  }
}

/** Patroni's bootstrap_standby_leader: clone from the remote, then run as its standby leader. */
async function bootstrapStandbyLeader(postgres: HaPostgres, remote: UpstreamNode, signal: AbortSignal): Promise<TaskOutcome> {
  const r = await postgres.clone({ upstream: remote }, { signal });
  if (!r.ok) {
    await postgres.removeDataDirectory({ signal });
    return result(r);
  }
  const f = await postgres.follow({ upstream: remote, role: 'standby_leader' }, { signal });
  return f.ok ? { ok: true, value: { upstream: remote, role: 'standby_leader' } } : result(f);
}
