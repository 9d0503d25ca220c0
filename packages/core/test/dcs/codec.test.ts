import { describe, expect, it } from 'vitest';
import {
  decodeCluster,
  encodeFailover,
  encodeHistory,
  encodeMemberData,
  encodeStatus,
  encodeSync,
  formatTimestamp,
  isFailoverEmpty,
  parseTimestamp,
  type RawEntry,
} from '../../src/index.js';

const entry = (key: string, value: string, version = '7', session: string | null = null): RawEntry => ({ key, value, version, session });

describe('encoders write the bytes Patroni writes', () => {
  it('writes the member JSON compact, in touch_member order, with extras last and non-ASCII escaped', () => {
    const value = encodeMemberData({
      xlog_location: 67108960,
      role: 'replica',
      api_url: 'http://10.0.0.1:8008/patroni',
      conn_url: 'postgres://10.0.0.1:5432/postgres',
      state: 'running',
      version: '4.0.0',
      timeline: 2,
      replication_state: 'streaming',
      tags: { nofailover: true, zone: 'zürich' },
      pgwarden_version: '0.1.0',
    });
    expect(value).toBe(
      '{"conn_url":"postgres://10.0.0.1:5432/postgres","api_url":"http://10.0.0.1:8008/patroni","state":"running",' +
        '"role":"replica","version":"4.0.0","tags":{"nofailover":true,"zone":"z\\u00fcrich"},"xlog_location":67108960,' +
        '"replication_state":"streaming","timeline":2,"pgwarden_version":"0.1.0"}',
    );
  });

  it('names the candidate `member` and clears with {}', () => {
    expect(encodeFailover({ leader: 'n1', candidate: 'n2', scheduledAt: '2024-06-17T10:00:00+00:00' })).toBe(
      '{"leader":"n1","member":"n2","scheduled_at":"2024-06-17T10:00:00+00:00"}',
    );
    expect(encodeFailover({ candidate: 'n2' })).toBe('{"member":"n2"}');
    expect(encodeFailover({})).toBe('{}');
  });

  it('sorts and comma-joins sync standbys, null when none', () => {
    expect(encodeSync('n1', ['n3', 'n2'])).toBe('{"leader":"n1","sync_standby":"n2,n3"}');
    expect(encodeSync('n1', [])).toBe('{"leader":"n1","sync_standby":null}');
  });

  it('writes status with integer LSNs and omits empty slots', () => {
    expect(encodeStatus({ lastLsn: 67108960, slots: { s1: 5 } })).toBe('{"optime":67108960,"slots":{"s1":5}}');
    expect(encodeStatus({ lastLsn: 1, slots: {} })).toBe('{"optime":1}');
    expect(encodeStatus({ lastLsn: 1, slots: null })).toBe('{"optime":1}');
  });

  it('writes history rows as JSON arrays', () => {
    expect(encodeHistory([[1, 25165984, 'no recovery target specified', '2024-06-17T10:11:12.123456+02:00', 'n2']])).toBe(
      '[[1,25165984,"no recovery target specified","2024-06-17T10:11:12.123456+02:00","n2"]]',
    );
  });

  it('formats timestamps as Python isoformat() does', () => {
    expect(formatTimestamp(Date.UTC(2024, 5, 17, 10, 0, 0))).toBe('2024-06-17T10:00:00+00:00');
    expect(formatTimestamp(Date.UTC(2024, 5, 17, 10, 0, 0, 123))).toBe('2024-06-17T10:00:00.123000+00:00');
  });
});

describe('decodeCluster reads what Patroni writes', () => {
  it('builds the full snapshot', () => {
    const { cluster, warnings } = decodeCluster([
      entry('leader', 'n1', '10', '694d8a5b'),
      entry('members/n1', '{"conn_url":"postgres://h1:5432/postgres","api_url":"http://h1:8008/patroni","state":"running","role":"master","version":"3.3.1","xlog_location":100}', '9', '694d8a5b'),
      entry('members/n2', '{"role":"replica","xlog_location":90,"version":"3.0.2"}', '8', 'abc'),
      entry('members/n2/extra', '{}'),
      entry('initialize', '7381234567890123456'),
      entry('config', '{"ttl":30,"postgresql":{"use_pg_rewind":true}}', '5'),
      entry('failover', '{"leader":"n1","member":"n2","scheduled_at":"2016-01-14T10:09:57.1394Z"}', '6'),
      entry('sync', '{"leader":"n1","sync_standby":"n2"}', '11'),
      entry('history', '[[1,25165984,"no recovery target specified"],[2,33554592,"x","2024-06-17T10:11:12+00:00","n1"]]', '12'),
      entry('status', '{"optime":100,"slots":{"perm":50},"retain_slots":["n1"]}'),
      entry('failsafe', '{"n1":"http://h1:8008/patroni"}'),
    ]);
    expect(warnings).toEqual([]);
    expect(cluster.leader).toMatchObject({ name: 'n1', version: '10', session: '694d8a5b', member: { name: 'n1', data: { role: 'master' } } });
    expect(cluster.members.map((m) => m.name)).toEqual(['n1', 'n2']);
    expect(cluster.initialize).toBe('7381234567890123456');
    expect(cluster.config).toEqual({ version: '5', modifyVersion: '5', data: { ttl: 30, postgresql: { use_pg_rewind: true } } });
    expect(cluster.failover).toMatchObject({ leader: 'n1', candidate: 'n2', scheduledAtMs: Date.UTC(2016, 0, 14, 10, 9, 57, 139) });
    expect(cluster.sync).toMatchObject({ version: '11', leader: 'n1', syncStandbys: ['n2'] });
    expect(cluster.history?.lines).toHaveLength(2);
    expect(cluster.status).toEqual({ lastLsn: 100, slots: { perm: 50 }, retainSlots: ['n1'], extra: {} });
    expect(cluster.failsafe).toEqual({ n1: 'http://h1:8008/patroni' });
    expect(Object.isFrozen(cluster.members[0]!.data)).toBe(true);
  });

  it('tells an absent initialize from an empty one', () => {
    expect(decodeCluster([]).cluster.initialize).toBeNull();
    expect(decodeCluster([entry('initialize', '')]).cluster.initialize).toBe('');
  });

  it('gives a leader without a member key a stub member', () => {
    const { cluster } = decodeCluster([entry('leader', 'ghost')]);
    expect(cluster.leader?.member).toEqual({ name: 'ghost', version: '', session: null, data: {} });
  });

  it('reads the legacy forms: member connection strings, leader:candidate failover, bare-integer status, optime/leader', () => {
    const { cluster } = decodeCluster([
      entry('members/n1', 'postgres://replicator@h1:5432/postgres?application_name=http://h1:8008/patroni'),
      entry('failover', 'n1:n2'),
      entry('optime/leader', '67108960'),
    ]);
    expect(cluster.members[0]!.data).toEqual({ conn_url: 'postgres://replicator@h1:5432/postgres', api_url: 'http://h1:8008/patroni' });
    expect(cluster.failover).toMatchObject({ leader: 'n1', candidate: 'n2', scheduledAt: null });
    expect(cluster.status.lastLsn).toBe(67108960);
    expect(decodeCluster([entry('status', '5000')]).cluster.status.lastLsn).toBe(5000);
    expect(decodeCluster([entry('status', '{"optime":7,"slots":"{\\"a\\":3}"}')]).cluster.status.slots).toEqual({ a: 3 });
    expect(decodeCluster([entry('status', '{"optime":7}'), entry('optime/leader', '9')]).cluster.status.lastLsn).toBe(7);
  });

  it('derives the timeline from history: [] is 1, absent is 0', async () => {
    const { clusterTimeline } = await import('../../src/index.js');
    expect(clusterTimeline(decodeCluster([]).cluster)).toBe(0);
    expect(clusterTimeline(decodeCluster([entry('history', '[]')]).cluster)).toBe(1);
    expect(clusterTimeline(decodeCluster([entry('history', '[[1,100,"r"],[2,200,"r"]]')]).cluster)).toBe(3);
  });

  it('treats an empty failover as asking for nothing and an empty sync as having no leader', () => {
    const { cluster } = decodeCluster([entry('failover', '{}'), entry('sync', '{"sync_standby":"n2"}', '3')]);
    expect(isFailoverEmpty(cluster.failover)).toBe(true);
    expect(cluster.failover?.version).toBe('7');
    expect(cluster.sync).toMatchObject({ version: '3', leader: null, syncStandbys: [] });
  });

  it('uses the ZooKeeper mzxid as the config modify version', () => {
    const { cluster } = decodeCluster([{ key: 'config', value: '{}', version: '0', session: null, modifyVersion: '4294967302' }]);
    expect(cluster.config).toMatchObject({ version: '0', modifyVersion: '4294967302' });
  });
});

describe('garbage in any key gives that key its empty value and one warning', () => {
  const cases: [string, string, (c: ReturnType<typeof decodeCluster>['cluster']) => unknown, unknown][] = [
    ['members/n1', 'not json', (c) => c.members[0]?.data, {}],
    ['members/n1', '[1,2]', (c) => c.members[0]?.data, {}],
    ['config', '{broken', (c) => c.config, { version: '7', modifyVersion: '0', data: {} }],
    ['failover', '[1]', (c) => c.failover?.candidate, null],
    ['failover', '{"member":"n2","scheduled_at":"tomorrow"}', (c) => c.failover?.candidate, null],
    ['sync', 'nope', (c) => c.sync, { version: '7', leader: null, syncStandbys: [], extra: {} }],
    ['history', '{"a":1}', (c) => c.history?.lines, []],
    ['status', '"text"', (c) => c.status.lastLsn, 0],
    ['optime/leader', '0/3000060', (c) => c.status.lastLsn, 0],
    ['failsafe', '[]', (c) => c.failsafe, null],
    ['leader', '   ', (c) => c.leader, null],
  ];
  for (const [key, value, pick, expected] of cases) {
    it(`${key} = ${value}`, () => {
      const { cluster, warnings } = decodeCluster([entry(key, value)]);
      expect(pick(cluster)).toEqual(expected);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`'${key}'`);
    });
  }

  it('drops member fields of the wrong type and keeps the rest', () => {
    const { cluster, warnings } = decodeCluster([entry('members/n1', '{"xlog_location":"0/3000060","role":"replica","zone":"a"}')]);
    expect(cluster.members[0]!.data).toEqual({ role: 'replica', zone: 'a' });
    expect(warnings[0]).toContain('xlog_location');
  });

  it('drops malformed history rows and keeps the good ones', () => {
    const { cluster, warnings } = decodeCluster([entry('history', '[[1,100,"r"],[2],[3,"x","r"],[4,400,"r","t","n","extra"]]')]);
    expect(cluster.history?.lines).toEqual([[1, 100, 'r']]);
    expect(warnings).toHaveLength(1);
  });
});

describe('unknown fields survive a round trip', () => {
  it('keeps unknown member fields and their values', () => {
    const raw = '{"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni","state":"running","role":"primary","version":"4.0.0","xlog_location":5,"future":{"x":[1,2]}}';
    const { cluster } = decodeCluster([entry('members/n1', raw)]);
    expect(encodeMemberData(cluster.members[0]!.data)).toBe(raw);
  });

  it('keeps unknown failover, sync and status fields', () => {
    const { cluster } = decodeCluster([
      entry('failover', '{"leader":"a","member":"b","x":1}'),
      entry('sync', '{"leader":"a","sync_standby":"b","quorum":1}'),
      entry('status', '{"optime":5,"retain_slots":["a"]}'),
    ]);
    expect(encodeFailover({ leader: cluster.failover!.leader, candidate: cluster.failover!.candidate, extra: cluster.failover!.extra })).toBe(
      '{"leader":"a","member":"b","x":1}',
    );
    expect(encodeSync(cluster.sync.leader!, cluster.sync.syncStandbys, cluster.sync.extra)).toBe('{"leader":"a","sync_standby":"b","quorum":1}');
    expect(encodeStatus(cluster.status)).toBe('{"optime":5,"retain_slots":["a"]}');
  });
});

describe('parseTimestamp', () => {
  it('accepts Python isoformat, Z, any fraction and compact offsets', () => {
    expect(parseTimestamp('2024-06-17T10:00:00+00:00')).toBe(Date.UTC(2024, 5, 17, 10));
    expect(parseTimestamp('2024-06-17T12:00:00+02:00')).toBe(Date.UTC(2024, 5, 17, 10));
    expect(parseTimestamp('2024-06-17T12:00:00.123456+0200')).toBe(Date.UTC(2024, 5, 17, 10, 0, 0, 123));
    expect(parseTimestamp('2016-01-14T10:09:57.1394Z')).toBe(Date.UTC(2016, 0, 14, 10, 9, 57, 139));
  });

  it('refuses a time without a zone, and garbage', () => {
    expect(parseTimestamp('2024-06-17T10:00:00')).toBeNull();
    expect(parseTimestamp('tomorrow')).toBeNull();
  });
});
