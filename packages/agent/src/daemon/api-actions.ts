/**
 * The REST API's writes, mapped onto the DCS and the HA loop as Patroni maps them:
 * switchover/failover and config edits are DCS writes (CAS when the caller has a
 * version) followed by a loop wake-up; restart and reinitialize run as the loop's single
 * task, so they never race the engine's own actions.
 */
import type { HaLoop, JsonObject, Logger, Member } from '@pgwarden/core';
import type { ApiActions, FailoverKey, RestartRequest } from '../api/types.js';
import { cloneFromLeader, leaderUpstream } from './clone-from-leader.js';
import type { ObservedController } from './observed-controller.js';
import { anyHealthyCandidate } from './peers.js';
import type { PeerClient } from '@pgwarden/core';
import type { RecordingDcs } from './recording-dcs.js';
import { ScheduledRestarts } from './scheduled-restart.js';

export interface ActionDeps {
  readonly name: string;
  readonly dcs: RecordingDcs;
  readonly loop: HaLoop;
  readonly controller: ObservedController;
  readonly logger: Logger;
  readonly serverVersion: () => number;
  /** SIGHUP's handler. */
  readonly reload: () => void;
  /** Restarts scheduled with `POST /restart` `schedule`; without it scheduling is refused. */
  readonly scheduled?: ScheduledRestarts;
  /** Other members' REST APIs (the switchover's "any healthy candidate?" check). */
  readonly peers: PeerClient;
}

/** `15.4` → 150004, `15` → 150000, `9.6.3` → 90603, as Patroni compares versions. */
function versionNumber(text: string): number {
  const [a = 0, b = 0, c = 0] = text.split('.').map((p) => Number.parseInt(p, 10));
  return a >= 10 ? a * 10000 + b : a * 10000 + b * 100 + c;
}

function restartRefusal(deps: ActionDeps, request: RestartRequest): string | null {
  const task = deps.loop.getStatus().task;
  if (task) return `${task} already in progress`;
  const pg = deps.controller.status();
  if (request.role) {
    const primary = pg.role === 'primary' || pg.role === 'promoted';
    if ((request.role === 'primary') !== primary) return 'restart conditions are not satisfied';
  }
  if (request.postgresVersion && !(deps.serverVersion() < versionNumber(request.postgresVersion))) return 'restart conditions are not satisfied';
  if (request.restartPending !== undefined && !pg.pendingRestart) return 'restart conditions are not satisfied';
  if (pg.state === 'starting') return 'postgres is still starting';
  return null;
}

/**
 * Starts a restart as the loop's single task, so no cycle tries to "recover" the Postgres
 * it stops on purpose. `finished` settles with the outcome; `refusal` says why it did not start.
 */
export function launchRestart(
  deps: ActionDeps,
  request: RestartRequest,
): { readonly refusal: string; readonly finished?: undefined } | { readonly refusal: null; readonly finished: Promise<boolean> } {
  const refusal = restartRefusal(deps, request);
  if (refusal) return { refusal };
  const { loop, controller, logger } = deps;
  const role = loop.isLeader() ? 'primary' : 'replica';
  let settle!: (ok: boolean) => void;
  const finished = new Promise<boolean>((resolve) => (settle = resolve));
  const launched = loop.runTask('restart', 'restart', async (signal) => {
    const r = await controller.restart({ role, signal, ...(request.timeout !== undefined && { timeoutMs: request.timeout * 1000 }) });
    if (!r.ok) logger.warn(`restart failed: ${r.message}`);
    settle(r.ok);
    return r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message };
  });
  if (!launched) return { refusal: `${loop.getStatus().task ?? 'another action'} already in progress` };
  return { refusal: null, finished };
}

export function apiActions(deps: ActionDeps): ApiActions {
  const { dcs, loop, controller, logger } = deps;
  return {
    loadCluster: () => dcs.freshCluster(),
    async writeConfig(value, expectedVersion) {
      const r = await dcs.writeConfig(JSON.parse(value) as JsonObject, expectedVersion ?? undefined);
      return r.kind === 'written';
    },
    async writeFailover(key: FailoverKey, expectedVersion?: string) {
      const r =
        key.leader === null && key.candidate === null
          ? await dcs.clearFailover(expectedVersion)
          : await dcs.writeFailover({ leader: key.leader, candidate: key.candidate, scheduledAt: key.scheduledAt }, expectedVersion);
      return r.kind === 'written';
    },
    hasHealthyCandidate: (members: readonly Member[]) => anyHealthyCandidate(deps.peers, members),
    wakeup: () => loop.wake(),
    async restart(request) {
      const started = launchRestart(deps, request);
      if (started.refusal !== null) return { ok: false, message: started.refusal };
      return (await started.finished) ? { ok: true, message: 'restarted successfully' } : { ok: false, message: 'restart failed' };
    },
    async scheduleRestart(request) {
      if (!deps.scheduled) {
        logger.warn('scheduled restarts are not enabled in this agent; restart now with POST /restart without "schedule"');
        return false;
      }
      return deps.scheduled.schedule(request);
    },
    deleteScheduledRestart: async () => deps.scheduled?.cancel() ?? false,
    async reinitialize(force, fromLeader = false) {
      const cluster = dcs.lastCluster;
      if (!cluster?.leader) return 'Cluster has no leader, can not reinitialize';
      if (cluster.leader.name === deps.name) return 'I am the leader, can not reinitialize';
      const task = loop.getStatus().task;
      if (task && !force) return `${task} already in progress`;
      // force: cancel the running task first (Patroni's reinitialize(force)).
      if (task && force) await loop.cancelTask();
      // The task empties the data directory; the next cycles clone it again (from a clonefrom
      // replica or the leader), or with from_leader the task clones from the leader itself.
      const upstream = fromLeader ? leaderUpstream(cluster) : null;
      const launched = loop.runTask('reinitialize', 'reinitialize', async (signal) => {
        const stopped = await controller.stop('immediate', { checkpoint: false, signal });
        if (!stopped.ok && (await controller.isRunning())) return { ok: false, code: stopped.code, message: stopped.message };
        const removed = await controller.removeDataDirectory();
        if (!removed.ok) return { ok: false, code: removed.code, message: removed.message };
        return upstream ? cloneFromLeader(controller, upstream, signal) : { ok: true };
      });
      return launched ? null : `${loop.getStatus().task ?? 'another action'} already in progress`;
    },
    reload: () => deps.reload(),
    async updateFailsafe(members) {
      const body = members as { name?: unknown; conn_url?: unknown; api_url?: unknown };
      if (typeof body.name !== 'string') return 'Accepted';
      return loop.recordFailsafe({
        name: body.name,
        ...(typeof body.conn_url === 'string' && { conn_url: body.conn_url }),
        ...(typeof body.api_url === 'string' && { api_url: body.api_url }),
      });
    },
  };
}

/**
 * This agent's scheduled restart: kept and run by the HA engine, shown in the member key
 * the loop writes. Pass it to `apiActions` (`scheduled`) and to the state source.
 */
export function scheduledRestarts(deps: ActionDeps): ScheduledRestarts {
  const restarts = new ScheduledRestarts(deps.loop, () => deps.controller.lastObservation?.postmasterStartedAt ?? null);
  deps.dcs.memberExtras = () => {
    const json = restarts.memberJson();
    return json ? { scheduled_restart: json } : {};
  };
  return restarts;
}
