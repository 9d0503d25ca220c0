/**
 * `pgwardenctl list`'s WAL columns as Patroni 4.1's patronictl prints them: Receive LSN,
 * Receive Lag, Replay LSN, Replay Lag (lags in MB, rounded as Python rounds). A member
 * that published only its position (Patroni before 4.1, or a member that never
 * reported receive/replay) shows it under Receive when streaming, else under Replay.
 * The pretty and topology tables title both lag columns `Lag`.
 */
import { roundHalfEven } from '@pgwarden/core';
import type { MemberView } from './cluster-json.js';

export const LSN_COLUMNS = ['Receive LSN', 'Receive Lag', 'Replay LSN', 'Replay Lag'] as const;

type Cell = string | number;

function lagInMb(lag: unknown): Cell {
  if (typeof lag === 'number') return roundHalfEven(lag / 1024 / 1024);
  return lag === 'unknown' || lag === undefined ? '' : String(lag);
}

export function lsnCells(m: MemberView): Record<(typeof LSN_COLUMNS)[number], Cell> {
  let receiveLag: unknown = m.receive_lag ?? '';
  let replayLag: unknown = m.replay_lag ?? '';
  let receiveLsn: Cell = m.receive_lsn ?? '';
  let replayLsn: Cell = m.replay_lsn ?? '';
  const lsn = m.lsn ?? '';
  if (receiveLsn === 'unknown' && replayLsn === 'unknown' && lsn && lsn !== 'unknown') {
    if (m.state === 'streaming') [receiveLag, receiveLsn] = [m.lag ?? '', lsn];
    else [replayLag, replayLsn] = [m.lag ?? '', lsn];
  }
  return { 'Receive LSN': receiveLsn, 'Receive Lag': lagInMb(receiveLag), 'Replay LSN': replayLsn, 'Replay Lag': lagInMb(replayLag) };
}

/** Column titles as shown: the human formats call both lag columns `Lag`. */
export function shownColumns(columns: readonly string[], human: boolean): string[] {
  return human ? columns.map((c) => (c === 'Receive Lag' || c === 'Replay Lag' ? 'Lag' : c)) : [...columns];
}

export const LSN_ALIGN = { 'Receive LSN': 'r', 'Replay LSN': 'r', Lag: 'r' } as const;
