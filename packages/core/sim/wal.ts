/**
 * The simulated WAL: an append-only list of records shared by reference between nodes.
 *
 * Why by reference: a record object is created once, by the primary that wrote it, at one
 * index. Any node holding that very object at index i got it by streaming, cloning or
 * rewinding from a node holding the same prefix, so `a[i] === b[i]` proves the whole
 * prefix [0, i] is identical. That gives the model the ground truth about divergence
 * that real Postgres only approximates with timeline IDs (and sometimes gets wrong).
 */
import type { Lsn } from '../src/postgres/types.js';

export type WalKind = 'init' | 'commit' | 'checkpoint' | 'shutdown-checkpoint' | 'timeline-switch';

export interface WalRecord {
  readonly index: number;
  /** End position of the record: what pg_current_wal_flush_lsn reports after it. */
  readonly lsn: Lsn;
  readonly tli: number;
  readonly kind: WalKind;
  /** The workload's row id, for commits. */
  readonly commitId?: string;
  /** For a timeline switch: the timeline it forked from and where that one ended. */
  readonly parentTli?: number;
  readonly switchLsn?: Lsn;
}

/** First LSN of a fresh cluster (0/1000000 plus a page header, like initdb leaves it). */
export const INITIAL_LSN: Lsn = 0x1000028;

const RECORD_SIZE: Readonly<Record<WalKind, number>> = {
  init: 104,
  commit: 128,
  checkpoint: 104,
  'shutdown-checkpoint': 104,
  'timeline-switch': 40,
};

export function lastRecord(wal: readonly WalRecord[]): WalRecord | undefined {
  return wal[wal.length - 1];
}

export function endLsn(wal: readonly WalRecord[]): Lsn {
  return lastRecord(wal)?.lsn ?? 0;
}

export function currentTimeline(wal: readonly WalRecord[]): number {
  return lastRecord(wal)?.tli ?? 0;
}

/** Appends a new record (created here, so it is unique) and returns it. */
export function appendRecord(
  wal: WalRecord[],
  kind: WalKind,
  extra: { tli?: number; commitId?: string; parentTli?: number; switchLsn?: Lsn; bytes?: number } = {},
): WalRecord {
  const prev = lastRecord(wal);
  const record: { -readonly [K in keyof WalRecord]: WalRecord[K] } = {
    index: wal.length,
    // `bytes`: a commit of a large transaction (the workload's bursts) spans that much WAL.
    lsn: (prev?.lsn ?? INITIAL_LSN - RECORD_SIZE.init) + (extra.bytes ?? RECORD_SIZE[kind]),
    tli: extra.tli ?? prev?.tli ?? 1,
    kind,
  };
  // Set only when given (fields in this order), without spreading a literal: every commit comes here.
  if (extra.commitId !== undefined) record.commitId = extra.commitId;
  if (extra.parentTli !== undefined) {
    record.parentTli = extra.parentTli;
    record.switchLsn = extra.switchLsn ?? 0;
  }
  wal.push(record);
  return record;
}

/** True when `a` is a prefix of (or equal to) `b`. */
export function isPrefixOf(a: readonly WalRecord[], b: readonly WalRecord[]): boolean {
  if (a.length === 0) return true;
  return a.length <= b.length && b[a.length - 1] === a[a.length - 1];
}

/** Length of the longest common prefix (binary search: prefixes are monotone). */
export function commonPrefixLength(a: readonly WalRecord[], b: readonly WalRecord[]): number {
  let lo = 0;
  let hi = Math.min(a.length, b.length);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a[mid - 1] === b[mid - 1]) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where `wal`'s history left timeline `tli`, if it did (the timeline history file entry). */
export function switchOutOf(wal: readonly WalRecord[], tli: number): Lsn | undefined {
  for (const r of wal) if (r.kind === 'timeline-switch' && r.parentTli === tli) return r.switchLsn;
  return undefined;
}

/** Whether timeline `tli` is part of `wal`'s history. */
export function hasTimeline(wal: readonly WalRecord[], tli: number): boolean {
  if (tli === 1) return wal.length > 0 && wal[0]?.tli === 1;
  return wal.some((r) => r.kind === 'timeline-switch' && r.tli === tli);
}

/** Patroni-style history lines `[parentTli, switchLsn, reason]` for the timelines in `wal`. */
export function historyLines(wal: readonly WalRecord[]): [number, number, string][] {
  return wal
    .filter((r) => r.kind === 'timeline-switch')
    .map((r) => [r.parentTli ?? 0, r.switchLsn ?? 0, 'no recovery target specified']);
}

/**
 * `wal` holds the very record of the commit (its id at its LSN). A commit's record keeps
 * the LSN it was written at wherever it is streamed or cloned, and LSNs only grow along a
 * WAL: a binary search, where collecting every id (commitIds) reads the whole WAL.
 */
export function holdsCommit(wal: readonly WalRecord[], commit: { readonly id: string; readonly lsn: Lsn }): boolean {
  let lo = 0;
  let hi = wal.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = wal[mid]!;
    if (r.lsn === commit.lsn) return r.commitId === commit.id;
    if (r.lsn < commit.lsn) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function commitIds(wal: readonly WalRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of wal) if (r.commitId !== undefined) ids.add(r.commitId);
  return ids;
}

/**
 * What a walsender would answer a walreceiver that asks to stream from the end of
 * `mine` (spec §3.9 rules, as Postgres applies them):
 * - `ok`: mine is a prefix of theirs;
 * - `ahead`: same history but I have more (cascading upstream behind me); wait;
 * - `forked`: my timeline is not in their history, or I went past their switch point;
 * - `silent-divergence`: Postgres would accept (same timeline, position not ahead) but
 *   the contents differ — the duplicate-timeline weakness (spec §5). The model refuses to
 *   stream and reports it as an anomaly instead of corrupting the replica.
 */
export type StreamVerdict = 'ok' | 'ahead' | 'forked' | 'silent-divergence';

export function streamVerdict(mine: readonly WalRecord[], theirs: readonly WalRecord[]): StreamVerdict {
  const n = Math.min(mine.length, theirs.length);
  if (n > 0 && mine[n - 1] === theirs[n - 1]) return mine.length <= theirs.length ? 'ok' : 'ahead';
  const myTli = currentTimeline(mine);
  const myLsn = endLsn(mine);
  if (!hasTimeline(theirs, myTli)) return 'forked';
  const switchLsn = switchOutOf(theirs, myTli);
  if (switchLsn !== undefined) return myLsn > switchLsn ? 'forked' : 'silent-divergence';
  return myLsn > endLsn(theirs) ? 'ahead' : 'silent-divergence';
}
