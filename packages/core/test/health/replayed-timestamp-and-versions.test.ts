/**
 * `/patroni` of a replica reports when the last replayed transaction committed
 * (pg_last_xact_replay_timestamp), as Patroni does, and the document names pgwarden's
 * own release beside the Patroni protocol version it speaks.
 */
import { describe, expect, it } from 'vitest';
import { buildStatusDocument, PATRONI_PROTOCOL_VERSION, postgresStatusFromObservation } from '../../src/index.js';
import { observation } from '../ha/fixtures.js';
import { primary, replica } from './fixtures.js';

describe('replayed_timestamp and versions in /patroni', () => {
  it('takes the replay timestamp from the monitoring query', () => {
    const pg = postgresStatusFromObservation(observation({ replayTimestampMs: 1_692_356_650_500 }), { syncStandby: false });
    const doc = buildStatusDocument(replica({ postgres: pg }));
    expect((doc['xlog'] as Record<string, unknown>)['replayed_timestamp']).toBe('2023-08-18 11:04:10.500000+00:00');
  });

  it('is null before any transaction was replayed', () => {
    const pg = postgresStatusFromObservation(observation({ replayTimestampMs: null }), { syncStandby: false });
    expect(pg.xlog.kind === 'replica' && pg.xlog.replayedTimestamp).toBeNull();
  });

  it('reports pgwarden_version after Patroni\'s keys, patroni.version the protocol', () => {
    const doc = buildStatusDocument(primary({ version: PATRONI_PROTOCOL_VERSION, pgwardenVersion: '0.1.0' }));
    expect(doc['patroni']).toMatchObject({ version: PATRONI_PROTOCOL_VERSION });
    expect(doc['pgwarden_version']).toBe('0.1.0');
    expect(Object.keys(doc).indexOf('pgwarden_version')).toBeGreaterThan(Object.keys(doc).indexOf('patroni'));
  });
});
