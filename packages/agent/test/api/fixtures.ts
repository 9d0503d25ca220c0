/** Node states for the server tests: one per situation the health table distinguishes. */
import { initialNodeState, systemClock, type NodeState } from '@pgwarden/core';

/** Locks below are held for an hour of the monotonic clock the server reads. */
function lockHeld(): number {
  return systemClock.now() + 3_600_000;
}

function base(): NodeState {
  return initialNodeState({ name: 'node1', scope: 'demo', version: '4.0.0', ttl: 30, nextLoopAt: systemClock.now() + 10_000 });
}

export function primary(overrides: Partial<NodeState> = {}): NodeState {
  return {
    ...base(),
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
      replication: [],
    },
    clusterKnown: true,
    clusterUnlocked: false,
    leaderName: 'node1',
    leaderLsn: 67108960,
    lockExpiresAt: lockHeld(),
    dcsLastSeen: 1692356700,
    ...overrides,
  };
}

export function replica(overrides: Partial<NodeState> = {}): NodeState {
  return {
    ...base(),
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
    tags: { datacenter: 'east' },
    ...overrides,
  };
}

export function standbyLeader(): NodeState {
  return replica({ name: 'node3', role: 'standby_leader', standbyCluster: true, lockExpiresAt: lockHeld(), leaderName: 'node3' });
}

export function pausedWithoutCluster(role: string): NodeState {
  const pg = role === 'replica' || role === 'standby_leader' ? replica() : primary();
  return { ...pg, role, paused: true, clusterKnown: false, clusterUnlocked: true, lockExpiresAt: null, leaderName: null, leaderLsn: 0 };
}

export function unlockedReplica(): NodeState {
  return replica({ clusterUnlocked: true, leaderName: null });
}
