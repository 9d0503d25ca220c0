import { describe, expect, it } from 'vitest';
import { healthStatus, parseQuery, type NodeState } from '../../src/health/index.js';
import { NOW, pausedWithoutCluster, primary, replica, standbyLeader, unlockedReplica } from './fixtures.js';

function status(state: NodeState, url: string): number {
  const [path = '/', search = ''] = url.split('?');
  return healthStatus(state, { path, query: parseQuery(search), now: NOW }).status;
}

const PATHS = [
  '/', '/primary', '/master', '/leader', '/read-write', '/standby-leader', '/standby_leader', '/replica', '/read-only',
  '/sync', '/synchronous', '/async', '/asynchronous', '/read-only-sync', '/read-only-synchronous', '/health', '/foo',
] as const;

/** Expected codes, in the order of PATHS (spec/api.md §1.3). */
const TABLE: Record<string, [() => NodeState, string]> = {
  'primary holding the lock': [() => primary(), '200 200 200 200 200 503 503 503 200 503 503 503 503 200 200 200 503'],
  'replica': [() => replica(), '503 503 503 503 503 503 503 200 200 503 503 200 200 503 503 200 503'],
  'sync replica': [() => replica({ postgres: { ...replica().postgres!, syncStandby: true } }), '503 503 503 503 503 503 503 200 200 200 200 503 503 200 200 200 503'],
  'standby leader': [() => standbyLeader(), '503 503 503 200 503 200 200 503 200 503 503 503 503 200 200 200 503'],
  'unlocked cluster, replica': [() => unlockedReplica(), '503 503 503 503 503 503 503 200 200 503 503 200 200 503 503 200 503'],
  'paused, no DCS view, primary': [() => pausedWithoutCluster('primary'), '200 200 200 200 200 503 503 503 200 503 503 503 503 503 503 200 503'],
  'paused, no DCS view, master (3.x spelling)': [() => pausedWithoutCluster('master'), '200 200 200 200 200 503 503 503 200 503 503 503 503 503 503 200 503'],
  'paused, no DCS view, standby_leader': [() => pausedWithoutCluster('standby_leader'), '503 503 503 200 503 200 200 503 200 503 503 503 503 503 503 200 503'],
  'paused, no DCS view, replica': [() => pausedWithoutCluster('replica'), '503 503 503 503 503 503 503 200 200 503 503 503 503 503 503 200 503'],
  'primary whose lock ran out': [() => primary({ lockExpiresAt: NOW }), '503 503 503 503 503 503 503 503 503 503 503 503 503 503 503 200 503'],
  'primary, Postgres down': [() => primary({ state: 'stopped', postgres: null }), '200 200 200 200 200 503 503 503 200 503 503 503 503 200 200 503 503'],
};

describe('healthStatus decision table', () => {
  for (const [name, [make, codes]] of Object.entries(TABLE)) {
    it(name, () => {
      const state = make();
      const actual = PATHS.map((p) => `${p}=${status(state, p)}`);
      const expected = codes.split(' ').map((c, i) => `${PATHS[i]}=${c}`);
      expect(actual).toEqual(expected);
    });
  }

  it('grants /primary on the lock alone, whatever the role (Patroni quirk)', () => {
    expect(status(replica({ lockExpiresAt: NOW + 1 }), '/primary')).toBe(200);
  });

  it('matches by substring: /replicas and /replica/x act as /replica', () => {
    expect(status(replica(), '/replicas')).toBe(200);
    expect(status(replica(), '/replica/anything')).toBe(200);
    expect(status(primary(), '/primary-check')).toBe(200);
  });

  it('answers 503 on the sync paths without a cached DCS view', () => {
    const noView = replica({ clusterKnown: false, postgres: { ...replica().postgres!, syncStandby: true } });
    expect(status(noView, '/sync')).toBe(503);
    expect(status(noView, '/async')).toBe(503);
    expect(status(noView, '/read-only-sync')).toBe(503);
    expect(status(noView, '/replica')).toBe(200);
  });

  it('takes /health from the Postgres state only', () => {
    expect(status(replica({ state: 'starting' }), '/health')).toBe(503);
    expect(status(replica({ state: 'running', tags: { noloadbalance: true } }), '/health')).toBe(200);
  });

  it('keeps noloadbalance replicas out of the replica pools', () => {
    const hidden = replica({ tags: { noloadbalance: true } });
    expect(status(hidden, '/replica')).toBe(503);
    expect(status(hidden, '/read-only')).toBe(503);
    expect(status(hidden, '/async')).toBe(503);
  });

  it('returns the status document as the body', () => {
    const res = healthStatus(replica(), { path: '/replica', query: {}, now: NOW });
    expect(res.body['role']).toBe('replica');
    expect(res.body['patroni']).toEqual({ version: '4.0.0', scope: 'demo', name: 'node2' });
  });
});

describe('?lag=', () => {
  // The leader reported 67108960, the replica replayed 67108000: 960 bytes behind.
  it.each([
    ['/replica?lag=1000', 200],
    ['/replica?lag=960', 200],
    ['/replica?lag=959', 503],
    ['/replica?lag=1kB', 200],
    ['/replica?lag=1KB', 200], // a bad unit is ignored, not treated as 0
    ['/replica?lag=garbage', 200],
    ['/replica?lag=', 200],
    ['/read-only?lag=100', 503],
    ['/async?lag=100', 503],
    ['/asynchronous?lag=10MB', 200],
  ] as const)('%s → %i', (url, expected) => {
    expect(status(replica(), url)).toBe(expected);
  });

  it('never counts a replica as lagging when the leader LSN is unknown', () => {
    expect(status(replica({ leaderLsn: 0 }), '/replica?lag=0')).toBe(200);
  });

  it('uses the first value when lag is repeated', () => {
    expect(status(replica(), '/replica?lag=1&lag=10MB')).toBe(503);
  });
});

describe('?tag_K=V filters', () => {
  it.each([
    ['/replica?tag_datacenter=east', 200],
    ['/replica?tag_datacenter=west', 503],
    ['/replica?tag_failover_priority=2', 200],
    ['/replica?tag_missing=x', 503],
    ['/replica?datacenter=west', 200],
    ['/replica?tag_datacenter=east&tag_failover_priority=3', 503],
    ['/read-only?tag_datacenter=west', 503],
    ['/health?tag_datacenter=west', 503],
    ['/async?tag_datacenter=east', 200],
  ] as const)('%s → %i', (url, expected) => {
    expect(status(replica(), url)).toBe(expected);
  });

  it('compares non-string tags as lower-case Python strings', () => {
    const tagged = replica({ tags: { nofailover: true, weight: 1.5 } });
    expect(status(tagged, '/replica?tag_nofailover=true')).toBe(200);
    expect(status(tagged, '/replica?tag_nofailover=True')).toBe(503);
    expect(status(tagged, '/replica?tag_weight=1.5')).toBe(200);
  });

  it('treats dropped built-in false tags as absent: ?tag_noloadbalance=false → 503', () => {
    expect(status(replica(), '/replica?tag_noloadbalance=false')).toBe(503);
  });

  it('ignores tag filters on leader-type paths', () => {
    expect(status(primary(), '/primary?tag_datacenter=nowhere')).toBe(200);
    expect(status(primary(), '/leader?tag_x=y')).toBe(200);
    expect(status(standbyLeader(), '/standby-leader?tag_x=y')).toBe(200);
  });

  it('does not turn a 503 into a 200', () => {
    expect(status(primary(), '/replica?tag_x=y')).toBe(503);
  });
});
