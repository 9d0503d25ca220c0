import { initialNodeState, type NodeState } from '../../src/health/index.js';

/** Request time on the monotonic clock; locks below run out 30 s later. */
export const NOW = 5_000_000;
const LOCK_HELD = NOW + 30_000;

const base = initialNodeState({ name: 'node1', scope: 'demo', version: '4.0.0', ttl: 30, nextLoopAt: NOW + 10_000 });

export function primary(overrides: Partial<NodeState> = {}): NodeState {
  return {
    ...base,
    state: 'running',
    role: 'primary',
    postmasterRunning: true,
    postgres: {
      postmasterStartTime: 1692356617.966359,
      serverVersion: 150004,
      xlog: { kind: 'primary', location: 67108960 },
      syncStandby: false,
      timeline: 2,
      replicationState: null,
      replication: [
        { usename: 'replicator', application_name: 'node2', client_addr: '10.0.0.2', state: 'streaming', sync_state: 'async', sync_priority: 0 },
      ],
    },
    clusterKnown: true,
    clusterUnlocked: false,
    leaderName: 'node1',
    leaderLsn: 67108960,
    lockExpiresAt: LOCK_HELD,
    dcsLastSeen: 1692356700,
    systemIdentifier: '7269011234567890123',
    ...overrides,
  };
}

export function replica(overrides: Partial<NodeState> = {}): NodeState {
  return {
    ...base,
    name: 'node2',
    state: 'running',
    role: 'replica',
    postmasterRunning: true,
    postgres: {
      postmasterStartTime: 1692356620,
      serverVersion: 150004,
      xlog: { kind: 'replica', receivedLocation: 67108960, replayedLocation: 67108000, replayedTimestamp: 1692356650.5, paused: false },
      syncStandby: false,
      timeline: 2,
      replicationState: 'streaming',
      replication: [],
    },
    clusterKnown: true,
    clusterUnlocked: false,
    leaderName: 'node1',
    leaderLsn: 67108960,
    lockExpiresAt: null,
    dcsLastSeen: 1692356700,
    tags: { datacenter: 'east', failover_priority: 2 },
    ...overrides,
  };
}

/** The lock holder of a standby cluster: recovering Postgres, internal role standby_leader. */
export function standbyLeader(overrides: Partial<NodeState> = {}): NodeState {
  return replica({ name: 'node3', role: 'standby_leader', standbyCluster: true, lockExpiresAt: LOCK_HELD, leaderName: 'node3', ...overrides });
}

/** Maintenance mode with no DCS view at all: roles speak for themselves. */
export function pausedWithoutCluster(role: string): NodeState {
  const pg = role === 'replica' || role === 'standby_leader' ? replica() : primary();
  return { ...pg, role, paused: true, clusterKnown: false, clusterUnlocked: true, lockExpiresAt: null, leaderName: null, leaderLsn: 0 };
}

/** A replica whose cluster lost its leader key. */
export function unlockedReplica(): NodeState {
  return replica({ clusterUnlocked: true, leaderName: null });
}
