/** A three-node cluster snapshot as the DCS codec would produce it. */
import { EMPTY_CLUSTER, type Cluster, type JsonObject, type Member, type MemberData } from '@pgwarden/core';

function member(name: string, data: MemberData): Member {
  return { name, version: '1', session: null, data };
}

export function threeNodeCluster(overrides: Partial<Cluster> = {}, config: JsonObject = { ttl: 30, loop_wait: 10 }): Cluster {
  const members = [
    member('node1', { conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'primary', xlog_location: 1000, timeline: 2 }),
    member('node2', { conn_url: 'postgres://127.0.0.2:5432/postgres', api_url: 'http://127.0.0.2:8008/patroni', state: 'running', role: 'replica', xlog_location: 900, replication_state: 'streaming' }),
    member('node3', { conn_url: 'postgres://127.0.0.3:5432/postgres', api_url: 'http://127.0.0.3:8008/patroni', state: 'running', role: 'replica', xlog_location: 1000 }),
  ];
  return {
    ...EMPTY_CLUSTER,
    initialize: '7269011234567890123',
    members,
    leader: { name: 'node1', version: '7', session: null, member: members[0]! },
    status: { lastLsn: 1000, slots: null, extra: {} },
    config: { version: '3', modifyVersion: '3', data: config },
    history: { version: '1', raw: '[[1,25165984,"no recovery target specified","2024-06-17T10:00:00+00:00","node1"]]', lines: [[1, 25165984, 'no recovery target specified', '2024-06-17T10:00:00+00:00', 'node1']] },
    ...overrides,
  };
}

/** The same cluster after `node` took the leader key. */
export function withLeader(cluster: Cluster, node: string): Cluster {
  const m = cluster.members.find((x) => x.name === node)!;
  return { ...cluster, leader: { name: node, version: '8', session: null, member: m }, failover: null };
}
