import { describe, expect, it } from 'vitest';
import { EMPTY_CLUSTER, type Cluster, type Member, type MemberData } from '../../src/dcs/cluster.js';
import { clusterAsJson } from '../../src/health/index.js';

function member(name: string, data: MemberData): Member {
  return { name, version: '1', session: null, data };
}

function cluster(overrides: Partial<Cluster>): Cluster {
  const members = [
    member('node3', { conn_url: 'postgres://10.0.0.3:5433/postgres', api_url: 'http://10.0.0.3:8008/patroni', state: 'running', role: 'replica', xlog_location: 900, replication_state: 'streaming', timeline: 2 }),
    member('node1', { conn_url: 'postgres://10.0.0.1/postgres', api_url: 'http://10.0.0.1:8008/patroni', state: 'running', role: 'primary', xlog_location: 1000, timeline: 2, tags: { datacenter: 'east' } }),
    member('node2', { conn_url: 'postgres://10.0.0.2:5432/postgres', api_url: 'http://10.0.0.2:8008/patroni', state: 'starting', role: 'replica' }),
  ];
  return {
    ...EMPTY_CLUSTER,
    members,
    leader: { name: 'node1', version: '1', session: null, member: members[1]! },
    status: { lastLsn: 1000, slots: null, extra: {} },
    config: { version: '1', modifyVersion: '1', data: { synchronous_mode: true, pause: true } },
    sync: { version: '1', leader: 'node1', syncStandbys: ['NODE3'], extra: {} },
    ...overrides,
  };
}

describe('clusterAsJson', () => {
  it('lists members by name with roles, hosts and lag', () => {
    const json = clusterAsJson(cluster({}), 'demo');
    expect(json).toEqual({
      members: [
        { name: 'node1', role: 'leader', state: 'running', api_url: 'http://10.0.0.1:8008/patroni', host: '10.0.0.1', port: 5432, timeline: 2, tags: { datacenter: 'east' } },
        { name: 'node2', role: 'replica', state: 'starting', api_url: 'http://10.0.0.2:8008/patroni', host: '10.0.0.2', port: 5432, lag: 'unknown' },
        { name: 'node3', role: 'sync_standby', state: 'streaming', api_url: 'http://10.0.0.3:8008/patroni', host: '10.0.0.3', port: 5433, timeline: 2, lag: 100 },
      ],
      pause: true,
      scope: 'demo',
    });
    expect(Object.keys(json)).toEqual(['members', 'pause', 'scope']);
  });

  it('names the lock holder standby_leader in a standby cluster', () => {
    const json = clusterAsJson(cluster({ config: { version: '1', modifyVersion: '1', data: { standby_cluster: { host: 'remote' } } } }), 'demo');
    const members = json['members'] as { name: string; role: string }[];
    expect(members.map((m) => m.role)).toEqual(['standby_leader', 'replica', 'replica']);
  });

  it('reports a scheduled switchover', () => {
    const json = clusterAsJson(
      cluster({ failover: { version: '1', leader: 'node1', candidate: null, scheduledAt: '2030-01-01T00:00:00+00:00', scheduledAtMs: Date.UTC(2030, 0, 1), extra: {} } }),
      'demo',
    );
    expect(json['scheduled_switchover']).toEqual({ at: '2030-01-01T00:00:00+00:00', from: 'node1' });
  });
});
