/**
 * What the simulated data directory holds: the WAL (shared records, see wal.ts), the
 * control file fields the engine reads, the signal file, slots and the rewind flag.
 */
import type { Lsn } from '../src/postgres/types.js';
import { appendRecord, currentTimeline, endLsn, type WalRecord } from './wal.js';

/** pg_controldata's "Database cluster state". */
export type ClusterState = 'in production' | 'shut down' | 'shut down in recovery' | 'in archive recovery' | 'in crash recovery';

export interface ModelSlot {
  readonly name: string;
  readonly type: 'physical' | 'logical';
  readonly database: string | null;
  readonly plugin: string | null;
  restartLsn: Lsn | null;
}

export interface DataDir {
  readonly sysid: string;
  wal: WalRecord[];
  clusterState: ClusterState;
  /** standby.signal present: the next start is a replica unless told otherwise. */
  standbySignal: boolean;
  checkpointLsn: Lsn;
  checkpointTli: number;
  /** wal_log_hints or data checksums: pg_rewind can run on this directory. */
  readonly rewindable: boolean;
  readonly slots: Map<string, ModelSlot>;
}

/** initdb: a new system identifier and one record on timeline 1. */
export function freshDataDir(sysid: string, rewindable: boolean): DataDir {
  const wal: WalRecord[] = [];
  const init = appendRecord(wal, 'init', { tli: 1 });
  return {
    sysid,
    wal,
    clusterState: 'shut down',
    standbySignal: false,
    checkpointLsn: init.lsn,
    checkpointTli: 1,
    rewindable,
    slots: new Map(),
  };
}

/** pg_basebackup: a copy of the source's WAL, to be started as a replica. */
export function copiedDataDir(source: DataDir, rewindable: boolean): DataDir {
  return {
    sysid: source.sysid,
    wal: source.wal.slice(),
    clusterState: 'in archive recovery',
    standbySignal: true,
    checkpointLsn: source.checkpointLsn,
    checkpointTli: source.checkpointTli,
    rewindable,
    slots: new Map(),
  };
}

/** True when the last shutdown was not clean (start needs crash recovery). */
export function needsCrashRecovery(dir: DataDir): boolean {
  return dir.clusterState === 'in production' || dir.clusterState === 'in archive recovery' || dir.clusterState === 'in crash recovery';
}

export function dirTimeline(dir: DataDir): number {
  return currentTimeline(dir.wal);
}

export function dirEndLsn(dir: DataDir): Lsn {
  return endLsn(dir.wal);
}
