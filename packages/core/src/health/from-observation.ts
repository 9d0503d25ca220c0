/**
 * The API's view of a running Postgres, derived from the loop's last monitoring query.
 * Whoever serves the REST API (the daemon, an embedding like the demo) builds it the
 * same way, so `/patroni` reads the same everywhere.
 */
import type { PostgresObservation } from '../postgres/observation.js';
import type { PostgresStatus } from './node-state.js';

export interface ObservationContext {
  /** True when this replica is listed in `/sync` (synchronous mode only). */
  readonly syncStandby: boolean;
  /** True when this replica is listed in `/sync` and synchronous_mode is `quorum`. */
  readonly quorumStandby?: boolean;
}

export function postgresStatusFromObservation(obs: PostgresObservation, context: ObservationContext): PostgresStatus {
  return {
    postmasterStartTime: obs.postmasterStartedAt ? obs.postmasterStartedAt / 1000 : null,
    serverVersion: obs.serverVersion,
    xlog: obs.inRecovery
      ? {
          kind: 'replica',
          receivedLocation: obs.receiveLsn ?? obs.replayLsn ?? 0,
          replayedLocation: obs.replayLsn ?? 0,
          replayedTimestamp: typeof obs.replayTimestampMs === 'number' ? obs.replayTimestampMs / 1000 : null,
          paused: obs.replayPaused,
        }
      : { kind: 'primary', location: obs.walPosition },
    syncStandby: context.syncStandby,
    ...(context.quorumStandby ? { quorumStandby: true } : {}),
    timeline: obs.timeline > 0 ? obs.timeline : null,
    replicationState: obs.inRecovery ? (obs.walReceiver?.status === 'streaming' ? 'streaming' : 'in archive recovery') : null,
    replication: obs.replication.map((r) => ({
      usename: null,
      application_name: r.applicationName,
      client_addr: null,
      state: r.state,
      sync_state: r.syncState,
      sync_priority: null,
    })),
  };
}
