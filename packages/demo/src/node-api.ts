/**
 * Patroni's REST API for one node: `@pgwarden/agent`'s RestApiServer, fed from the HA
 * loop's last published status (health checks never touch Postgres or the DCS) and
 * acting through the node's Dcs and HaLoop. The demo wires the parts a switchover needs
 * (`/switchover`, `/failover`, `/cluster`, `/config`, health checks); restart, reinitialize
 * and reload answer that this embedding does not offer them.
 */
import { RestApiServer, type ApiActions, type NodeStateSource } from '@pgwarden/agent';
import {
  failoverLimitation,
  initialNodeState,
  parsePeerStatus,
  postgresStatusFromObservation,
  systemClock,
  type Cluster,
  type JsonObject,
  type Member,
  type NodeState,
} from '@pgwarden/core';
import { SCOPE } from './cluster-config.js';
import type { DemoNode } from './node.js';

export interface NodeApi {
  readonly url: string;
  close(): Promise<void>;
}

/** The loop's status → the REST API's NodeState (Patroni's /patroni document). */
function nodeState(node: DemoNode): NodeState {
  const status = node.loop.getStatus();
  const pg = node.controller.status();
  const cluster = status.cluster;
  const ttl = Number(cluster?.config?.data['ttl'] ?? 20);
  const base = initialNodeState({ name: node.name, scope: SCOPE, version: node.node.version, ttl, nextLoopAt: systemClock.now() + 1000 });
  const obs = status.observation;
  return {
    ...base,
    state: status.state,
    role: status.role,
    postmasterRunning: pg.postmasterPid !== null,
    postgres: obs ? postgresStatusFromObservation(obs, { syncStandby: false }) : null,
    clusterKnown: cluster !== null,
    clusterUnlocked: !cluster?.leader,
    leaderName: cluster?.leader?.name ?? null,
    leaderLsn: cluster?.status.lastLsn ?? 0,
    lockExpiresAt: status.lockValidUntil,
    paused: status.paused,
    failsafeActive: status.failsafeActive,
    dcsLastSeen: cluster ? Math.floor(Date.now() / 1000) : 0,
    systemIdentifier: cluster?.initialize || null,
    pendingRestartReason: pg.pendingRestartReason,
  };
}

/** Actions the API can take; each goes through the node's own Dcs (with its deadlines) or loop. */
function actionsFor(node: DemoNode): ApiActions {
  const loadCluster = async (): Promise<Cluster> => {
    const r = await node.dcs.loadCluster();
    if (r.kind !== 'loaded') throw new Error(`DCS unavailable: ${r.cause.message}`);
    return r.cluster;
  };
  const unsupported = 'not available in the pgwarden demo';
  return {
    loadCluster,
    async writeConfig(value, expectedVersion) {
      const r = await node.dcs.writeConfig(JSON.parse(value) as JsonObject, expectedVersion ?? undefined);
      return r.kind === 'written';
    },
    async writeFailover(key, expectedVersion) {
      const r =
        key.leader === null && key.candidate === null
          ? await node.dcs.clearFailover(expectedVersion)
          : await node.dcs.writeFailover({ leader: key.leader, candidate: key.candidate, scheduledAt: key.scheduledAt }, expectedVersion);
      return r.kind === 'written';
    },
    async hasHealthyCandidate(members: readonly Member[]) {
      const answers = await Promise.all(
        members.map(async (m) => {
          const url = typeof m.data.api_url === 'string' ? m.data.api_url : null;
          if (!url) return false;
          try {
            const body: unknown = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).json();
            return failoverLimitation(parsePeerStatus(m.name, body)) === null;
          } catch {
            return false;
          }
        }),
      );
      return answers.some(Boolean);
    },
    wakeup: () => node.loop.wake(),
    restart: async () => ({ ok: false, message: `restart ${unsupported}` }),
    scheduleRestart: async () => false,
    deleteScheduledRestart: async () => false,
    reinitialize: async () => `reinitialize ${unsupported}`,
    reload: () => undefined,
    updateFailsafe: async () => 'failsafe mode is off in the demo',
  };
}

export async function startNodeApi(node: DemoNode): Promise<NodeApi> {
  const source: NodeStateSource = {
    current: () => nodeState(node),
    cluster: () => node.loop.getStatus().cluster,
    config: () => node.loop.getStatus().cluster?.config?.data ?? null,
  };
  const server = await RestApiServer.start({
    config: { listen: `127.0.0.1:${node.address.apiPort}` },
    source,
    actions: actionsFor(node),
    logger: node.logger,
  });
  return { url: server.url, close: () => server.close() };
}
