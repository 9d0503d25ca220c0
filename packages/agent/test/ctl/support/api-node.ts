/**
 * The agent's real REST API server for one member, with an in-test ApiActions that
 * acts on the real etcd through that member's Dcs, and plays the HA loop's part where
 * a command waits for it: a switchover hands the leader key to the candidate, and a
 * pause/resume is reflected in every member key (`pause: true`).
 */
import { initialNodeState, systemClock, type Cluster, type Dcs, type JsonObject, type Member, type MemberData, type NodeState } from '@pgwarden/core';
import { RestApiServer, type ApiActions, type FailoverKey, type NodeStateSource, type RestApiConfig, type RestartRequest, type ScheduledRestartRequest } from '../../../src/api/index.js';

export const AUTH = { username: 'admin', password: 's3cret' };

export function nodeState(name: string, role: 'primary' | 'replica'): NodeState {
  const base = initialNodeState({ name, scope: 'act', version: '4.0.0', ttl: 30, nextLoopAt: systemClock.now() + 10_000 });
  return {
    ...base,
    state: 'running',
    role,
    postmasterRunning: true,
    postgres: {
      postmasterStartTime: 1692356617.966359,
      serverVersion: 150004,
      xlog: role === 'primary' ? { kind: 'primary', location: 67108960 } : { kind: 'replica', receivedLocation: 67108960, replayedLocation: 67108960, replayedTimestamp: null, paused: false },
      syncStandby: false,
      timeline: 3,
      replicationState: role === 'primary' ? null : 'streaming',
      replication: [],
    },
    clusterKnown: true,
    clusterUnlocked: false,
    leaderName: 'node1',
    leaderLsn: 67108960,
    lockExpiresAt: role === 'primary' ? systemClock.now() + 3_600_000 : null,
  } as NodeState;
}

/** What the test sets up for the whole cluster: every member's Dcs and its member data. */
export interface ClusterHandles {
  dcs(name: string): Dcs;
  data(name: string): MemberData;
}

export class EtcdActions implements ApiActions {
  readonly calls: { name: string; args: unknown[] }[] = [];
  reinitializeAnswer: string | null = null;
  constructor(
    private readonly own: string,
    private readonly handles: () => ClusterHandles,
  ) {}

  called(name: string): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }
  private record(name: string, ...args: unknown[]): void {
    this.calls.push({ name, args });
  }
  private get dcs(): Dcs {
    return this.handles().dcs(this.own);
  }

  async loadCluster(): Promise<Cluster> {
    const loaded = await this.dcs.loadCluster({ linearizable: true });
    if (loaded.kind !== 'loaded') throw loaded.cause;
    return loaded.cluster;
  }
  async writeConfig(value: string, expectedVersion: string | null): Promise<boolean> {
    this.record('writeConfig', value, expectedVersion);
    const outcome = await this.dcs.writeConfig(JSON.parse(value) as JsonObject, expectedVersion ?? undefined);
    return outcome.kind === 'written';
  }
  async writeFailover(key: FailoverKey, expectedVersion?: string): Promise<boolean> {
    this.record('writeFailover', key, expectedVersion);
    const outcome = await this.dcs.writeFailover(key, expectedVersion);
    if (outcome.kind !== 'written') return false;
    if (!key.scheduledAt && key.candidate) {
      // The HA loops' part: the leader steps down and the candidate takes the lock.
      const cluster = await this.loadCluster();
      if (cluster.leader) await this.handles().dcs(cluster.leader.name).releaseLeader();
      await this.handles().dcs(key.candidate).acquireLeader();
    }
    return true;
  }
  async hasHealthyCandidate(members: readonly Member[]): Promise<boolean> {
    this.record('hasHealthyCandidate', members.map((m) => m.name));
    return true;
  }
  wakeup(): void {
    this.record('wakeup');
    // The loops' part after PATCH /config: each member publishes the pause flag.
    void this.loadCluster().then(async (cluster) => {
      const paused = cluster.config?.data.pause === true;
      for (const m of cluster.members) {
        const { pause: _old, ...rest } = this.handles().data(m.name);
        await this.handles().dcs(m.name).touchMember(paused ? { ...rest, pause: true } : rest);
      }
    });
  }
  async restart(request: RestartRequest): Promise<{ ok: boolean; message: string }> {
    this.record('restart', request);
    return { ok: true, message: 'restarted successfully' };
  }
  async scheduleRestart(request: ScheduledRestartRequest): Promise<boolean> {
    this.record('scheduleRestart', request);
    return true;
  }
  async deleteScheduledRestart(): Promise<boolean> {
    this.record('deleteScheduledRestart');
    return true;
  }
  async reinitialize(force: boolean): Promise<string | null> {
    this.record('reinitialize', force);
    return this.reinitializeAnswer;
  }
  reload(): void {
    this.record('reload');
  }
  async updateFailsafe(): Promise<string | null> {
    return null;
  }
}

export class StateSource implements NodeStateSource {
  snapshot: Cluster | null = null;
  constructor(public state: NodeState) {}
  current(): NodeState {
    return this.state;
  }
  cluster(): Cluster | null {
    return this.snapshot;
  }
  config(): JsonObject | null {
    return this.snapshot?.config?.data ?? null;
  }
}

export interface ApiNode {
  readonly server: RestApiServer;
  readonly actions: EtcdActions;
  readonly source: StateSource;
  readonly apiUrl: string;
}

export async function startApiNode(name: string, role: 'primary' | 'replica', handles: () => ClusterHandles, config: Partial<RestApiConfig> = {}): Promise<ApiNode> {
  const actions = new EtcdActions(name, handles);
  const source = new StateSource(nodeState(name, role));
  const server = await RestApiServer.start({
    config: { listen: '127.0.0.1:0', authentication: AUTH, ...config },
    source,
    actions,
    failoverPollIntervalMs: 50,
  });
  return { server, actions, source, apiUrl: `${server.url}/patroni` };
}
