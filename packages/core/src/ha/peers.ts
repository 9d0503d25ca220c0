/**
 * Peers' `/patroni` answers, as the leader race and "is a failover possible?" read them
 * (spec/ha.md §1.8, §1.13). Fetched by the loop, in parallel, 2 s each, no retry.
 */
import { isRecord, readBool } from '../config/lenient.js';
import { readTags } from './tags.js';

export interface PeerStatus {
  readonly name: string;
  /** False when the request failed or the answer lacked WAL positions (Postgres down). */
  readonly reachable: boolean;
  /** False when the peer runs as a primary. */
  readonly inRecovery: boolean;
  /** max(received, replayed) for a replica; 0 for a primary (Patroni does the same). */
  readonly walPosition: number;
  /** A replica's replayed position (absent when it did not say); the timeline is this WAL's. */
  readonly replayedPosition?: number;
  readonly timeline: number;
  readonly nofailover: boolean;
  readonly failoverPriority: number;
  readonly watchdogFailed: boolean;
}

export function unreachablePeer(name: string): PeerStatus {
  return { name, reachable: false, inRecovery: true, walPosition: 0, timeline: 0, nofailover: false, failoverPriority: 1, watchdogFailed: false };
}

/** Parses a `/patroni` body; anything unusable counts as unreachable, as in Patroni. */
export function parsePeerStatus(name: string, body: unknown): PeerStatus {
  if (!isRecord(body)) return unreachablePeer(name);
  const wal = isRecord(body.wal) ? body.wal : isRecord(body.xlog) ? body.xlog : null;
  if (!wal) return unreachablePeer(name);
  const role = body.role;
  const inRecovery = !(Boolean(wal.location) || role === 'master' || role === 'primary');
  const position = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const tags = readTags(body.tags);
  return {
    name,
    reachable: true,
    inRecovery,
    walPosition: inRecovery ? Math.max(position(wal.received_location), position(wal.replayed_location)) : 0,
    ...(inRecovery && typeof wal.replayed_location === 'number' ? { replayedPosition: wal.replayed_location } : {}),
    timeline: typeof body.timeline === 'number' ? body.timeline : 0,
    nofailover: tags.nofailover,
    failoverPriority: tags.failoverPriority,
    watchdogFailed: readBool(body.watchdog_failed, false),
  };
}

/** Why a peer cannot take over, or null when it may (Patroni's failover_limitation). */
export function failoverLimitation(peer: PeerStatus): string | null {
  if (!peer.reachable) return 'not reachable';
  if (peer.nofailover) return 'not allowed to promote';
  if (peer.watchdogFailed) return 'not watchdog capable';
  return null;
}
