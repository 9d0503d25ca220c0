import { describe, expect, it } from 'vitest';
import { buildStatusDocument } from '../../src/health/index.js';
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
