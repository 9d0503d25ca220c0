import { describe, expect, it } from 'vitest';
import { buildStatusDocument, initialNodeState } from '../../src/health/index.js';
import { primary, replica } from './fixtures.js';

describe('buildStatusDocument', () => {
  it('emits a primary in Patroni order, with role primary', () => {
    const doc = buildStatusDocument(primary());
    expect(Object.keys(doc)).toEqual([
      'state', 'postmaster_start_time', 'role', 'server_version', 'xlog', 'timeline', 'replication',
      'dcs_last_seen', 'database_system_identifier', 'patroni',
    ]);
    expect(doc).toMatchObject({
      state: 'running',
      postmaster_start_time: '2023-08-18 11:03:37.966359+00:00',
      role: 'primary',
      server_version: 150004,
      xlog: { location: 67108960 },
      timeline: 2,
      dcs_last_seen: 1692356700,
      database_system_identifier: '7269011234567890123',
      patroni: { version: '4.0.0', scope: 'demo', name: 'node1' },
    });
    expect(doc['replication']).toEqual([
      { usename: 'replicator', application_name: 'node2', client_addr: '10.0.0.2', state: 'streaming', sync_state: 'async', sync_priority: 0 },
    ]);
  });

  it('writes master as primary', () => {
    expect(buildStatusDocument(primary({ role: 'master' }))['role']).toBe('primary');
  });

  it('emits a replica with its xlog positions and every optional key in order', () => {
    const doc = buildStatusDocument(
      replica({
        postgres: { ...replica().postgres!, syncStandby: true },
        paused: true,
        clusterUnlocked: true,
        failsafeActive: true,
        dynamicNosync: true,
        systemIdentifier: '7269011234567890123',
        pendingRestartReason: { max_connections: { old_value: '100', new_value: '200' } },
        scheduledRestart: { schedule: '2030-01-01T00:00:00+00:00', role: 'replica', restartPending: false },
        watchdogFailed: true,
        loggerQueueSize: 5,
        loggerRecordsLost: 1,
      }),
    );
    expect(Object.keys(doc)).toEqual([
      'state', 'postmaster_start_time', 'role', 'server_version', 'xlog', 'sync_standby', 'timeline', 'replication_state',
      'pause', 'cluster_unlocked', 'failsafe_mode_is_active', 'dcs_last_seen', 'tags', 'database_system_identifier',
      'pending_restart', 'pending_restart_reason', 'patroni', 'scheduled_restart', 'watchdog_failed', 'logger_queue_size',
      'logger_records_lost',
    ]);
    expect(doc['postmaster_start_time']).toBe('2023-08-18 11:03:40+00:00');
    expect(doc['xlog']).toEqual({
      received_location: 67108960,
      replayed_location: 67108000,
      replayed_timestamp: '2023-08-18 11:04:10.500000+00:00',
      paused: false,
    });
    expect(doc['tags']).toEqual({ datacenter: 'east', failover_priority: 2, nosync: true });
    expect(doc['pending_restart_reason']).toEqual({ max_connections: { old_value: '100', new_value: '200' } });
    expect(doc['scheduled_restart']).toEqual({ schedule: '2030-01-01T00:00:00+00:00', role: 'replica', restart_pending: false });
  });

  it('holds only state and role, then the DCS part, while Postgres is down', () => {
    const doc = buildStatusDocument(replica({ state: 'stopped', postgres: null, clusterKnown: false }));
    expect(Object.keys(doc)).toEqual(['state', 'role', 'cluster_unlocked', 'dcs_last_seen', 'tags', 'patroni']);
    expect(doc['state']).toBe('stopped');
    // A body without xlog is how peers recognise an unusable node.
    expect(doc).not.toHaveProperty('xlog');
  });

  it('leaves a small log queue unreported', () => {
    expect(buildStatusDocument(primary({ loggerQueueSize: 2, loggerRecordsLost: 3 }))).not.toHaveProperty('logger_queue_size');
  });
});

describe('buildStatusDocument: pgwarden_fence', () => {
  it('starts with the fence unknown (null)', () => {
    expect(initialNodeState({ name: 'n', scope: 's', version: '4.0.0', ttl: 30, nextLoopAt: 0 }).fence).toBeNull();
  });

  it('appends the armed fence after all of Patroni\'s keys', () => {
    const doc = buildStatusDocument(primary({ fence: { armed: true, deadline: 1692356730.5, fencedCount: 2 } }));
    expect(Object.keys(doc)).toEqual([
      'state', 'postmaster_start_time', 'role', 'server_version', 'xlog', 'timeline', 'replication',
      'dcs_last_seen', 'database_system_identifier', 'patroni', 'pgwarden_fence',
    ]);
    expect(JSON.stringify(doc).endsWith(
      ',"patroni":{"version":"4.0.0","scope":"demo","name":"node1"},' +
        '"pgwarden_fence":{"armed":true,"deadline":"2023-08-18T11:05:30.500Z","fenced_count":2}}',
    )).toBe(true);
  });

  it('comes after every optional Patroni key, with a null deadline while disarmed', () => {
    const doc = buildStatusDocument(
      replica({ scheduledRestart: { schedule: '2030-01-01T00:00:00+00:00' }, watchdogFailed: true, loggerQueueSize: 5, loggerRecordsLost: 1, fence: { armed: false, deadline: null, fencedCount: 0 } }),
    );
    expect(Object.keys(doc).slice(-6)).toEqual(['patroni', 'scheduled_restart', 'watchdog_failed', 'logger_queue_size', 'logger_records_lost', 'pgwarden_fence']);
    expect(JSON.stringify(doc).endsWith(
      ',"watchdog_failed":true,"logger_queue_size":5,"logger_records_lost":1,' +
        '"pgwarden_fence":{"armed":false,"deadline":null,"fenced_count":0}}',
    )).toBe(true);
  });

  it('omits the field while the fence is off', () => {
    expect(buildStatusDocument(primary({ fence: null }))).not.toHaveProperty('pgwarden_fence');
    expect(buildStatusDocument(primary())).not.toHaveProperty('pgwarden_fence');
    const { fence: _, ...noField } = primary();
    expect(buildStatusDocument(noField)).not.toHaveProperty('pgwarden_fence');
    expect(JSON.stringify(buildStatusDocument(primary())).endsWith(',"patroni":{"version":"4.0.0","scope":"demo","name":"node1"}}')).toBe(true);
  });
});
