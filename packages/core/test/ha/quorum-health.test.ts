/**
 * Quorum standbys as the REST API and its users see them: `/quorum` and
 * `/read-only-quorum` (Patroni 4's health checks), `quorum_standby` in `/patroni`, and the
 * `quorum_standby` role in `/cluster`.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_CLUSTER, type Cluster, type Member } from '../../src/dcs/cluster.js';
import { buildStatusDocument, clusterAsJson, configIsQuorumCommit, configIsSynchronousMode, healthStatus, parseQuery, type NodeState } from '../../src/health/index.js';
import { NOW, primary, replica } from '../health/fixtures.js';

function status(state: NodeState, url: string): number {
  const [path = '/', search = ''] = url.split('?');
  return healthStatus(state, { path, query: parseQuery(search), now: NOW }).status;
}

const PATHS = ['/quorum', '/read-only-quorum', '/sync', '/read-only-sync', '/async', '/read-only', '/replica'] as const;
const quorumReplica = (): NodeState => replica({ postgres: { ...replica().postgres!, syncStandby: false, quorumStandby: true } });

describe('health checks in quorum mode', () => {
  it.each<[string, () => NodeState, string]>([
    ['quorum standby', quorumReplica, '200 200 503 503 503 200 200'],
    ['replica outside the quorum', () => replica(), '503 503 503 503 200 200 200'],
    ['primary', () => primary(), '503 200 503 200 503 200 503'],
    ['quorum standby tagged noloadbalance', () => ({ ...quorumReplica(), tags: { noloadbalance: true } }), '503 503 503 503 503 503 503'],
  ])('%s', (_name, make, codes) => {
    const state = make();
    expect(PATHS.map((p) => `${p}=${status(state, p)}`)).toEqual(codes.split(' ').map((c, i) => `${PATHS[i]}=${c}`));
  });

  it('/quorum needs the DCS view, as /sync does', () => {
    expect(status({ ...quorumReplica(), clusterKnown: false }, '/quorum')).toBe(503);
  });

  it('GET /patroni says quorum_standby, not sync_standby', () => {
    const doc = buildStatusDocument(quorumReplica()) as Record<string, unknown>;
    expect(doc['quorum_standby']).toBe(true);
    expect(doc['sync_standby']).toBeUndefined();
  });
});

describe('/cluster roles in quorum mode', () => {
  const m = (name: string, role: string): Member => ({ name, version: '1', session: null, data: { api_url: `http://${name}:8008/patroni`, state: 'running', role } });
  const cluster = (mode: unknown): Cluster => {
    const members = [m('n1', 'primary'), m('n2', 'replica'), m('n3', 'replica')];
    return {
      ...EMPTY_CLUSTER,
      members,
      leader: { name: 'n1', version: '1', session: null, member: members[0]! },
      config: { version: '1', modifyVersion: '1', data: { synchronous_mode: mode } },
      sync: { version: '1', leader: 'n1', syncStandbys: ['n2'], extra: { quorum: 0 } },
    };
  };
  it('a /sync voter is a quorum_standby; others stay replicas', () => {
    const roles = (clusterAsJson(cluster('quorum'), 'demo') as { members: { name: string; role: string }[] }).members.map((x) => `${x.name}:${x.role}`);
    expect(roles).toEqual(['n1:leader', 'n2:quorum_standby', 'n3:replica']);
  });
  it('synchronous_mode on keeps sync_standby', () => {
    const roles = (clusterAsJson(cluster(true), 'demo') as { members: { name: string; role: string }[] }).members.map((x) => `${x.name}:${x.role}`);
    expect(roles).toEqual(['n1:leader', 'n2:sync_standby', 'n3:replica']);
  });
  it('quorum counts as synchronous mode, except in a standby cluster', () => {
    expect(configIsSynchronousMode({ synchronous_mode: 'Quorum' })).toBe(true);
    expect(configIsQuorumCommit({ synchronous_mode: 'quorum' })).toBe(true);
    expect(configIsQuorumCommit({ synchronous_mode: 'quorum', standby_cluster: { host: 'x' } })).toBe(false);
    expect(configIsQuorumCommit({ synchronous_mode: true })).toBe(false);
  });
});
