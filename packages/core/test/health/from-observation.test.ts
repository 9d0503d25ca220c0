import { describe, expect, it } from 'vitest';
import { postgresStatusFromObservation, type PostgresObservation } from '../../src/index.js';

const base: PostgresObservation = {
  observedAt: 0,
  inRecovery: false,
  timeline: 3,
  walPosition: 5000,
  receiveLsn: null,
  replayLsn: null,
  replayPaused: false,
  walReceiver: null,
  replication: [{ pid: 1, applicationName: 'n2', state: 'streaming', syncState: 'async', sentLsn: 5000, writeLsn: 5000, flushLsn: 5000, replayLsn: 4000 }],
  slots: [],
  synchronousStandbyNames: '',
  synchronousCommit: 'on',
  postmasterStartedAt: 1_700_000_000_500,
  checkpointTimeline: 3,
  serverVersion: 150004,
};

describe('postgresStatusFromObservation', () => {
  it("reports a primary's WAL location, version, timeline and replication rows", () => {
    const s = postgresStatusFromObservation(base, { syncStandby: false });
    expect(s).toMatchObject({ serverVersion: 150004, timeline: 3, xlog: { kind: 'primary', location: 5000 }, replicationState: null, postmasterStartTime: 1_700_000_000.5 });
    expect(s.replication).toEqual([{ usename: null, application_name: 'n2', client_addr: null, state: 'streaming', sync_state: 'async', sync_priority: null }]);
  });

  it("reports a replica's received and replayed positions, streaming only with a streaming receiver", () => {
    const replica = { ...base, inRecovery: true, timeline: 0, receiveLsn: 4800, replayLsn: 4700, replication: [] };
    expect(postgresStatusFromObservation(replica, { syncStandby: true })).toMatchObject({
      timeline: null,
      syncStandby: true,
      replicationState: 'in archive recovery',
      xlog: { kind: 'replica', receivedLocation: 4800, replayedLocation: 4700, paused: false },
    });
    const streaming = { ...replica, walReceiver: { status: 'streaming', slotName: null, conninfo: null, senderHost: 'h', senderPort: 5432, receivedTimeline: 3 } };
    expect(postgresStatusFromObservation(streaming, { syncStandby: false }).replicationState).toBe('streaming');
  });
});
