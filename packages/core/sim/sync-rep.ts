/**
 * synchronous_standby_names as Postgres evaluates it: which connected standbys are
 * synchronous, and whether a commit at a given LSN may be acknowledged.
 */
import type { Lsn } from '../src/postgres/types.js';

export type SyncRule =
  | { readonly kind: 'none' }
  | { readonly kind: 'first' | 'any'; readonly count: number; readonly names: readonly string[] | '*' };

/** One standby streaming from the primary right now. */
export interface StandbyProgress {
  readonly name: string;
  readonly flushLsn: Lsn;
}

export type SyncStateName = 'sync' | 'potential' | 'quorum' | 'async';

/** Parses '', '*', 'a', 'a,b', 'N (a,b)', 'FIRST N (a,b)', 'ANY N (a,b)'. */
export function parseSyncStandbyNames(value: string | null | undefined): SyncRule {
  const text = (value ?? '').trim();
  if (text === '') return { kind: 'none' };
  const m = /^(?:(FIRST|ANY)\s+)?(\d+)\s*\((.*)\)$/i.exec(text);
  const kind = m?.[1]?.toUpperCase() === 'ANY' ? 'any' : 'first';
  const count = m ? Number(m[2]) : 1;
  const list = (m ? (m[3] ?? '') : text)
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1').toLowerCase())
    .filter((s) => s !== '');
  if (count <= 0) return { kind: 'none' };
  return { kind, count, names: list.includes('*') ? '*' : list };
}

/** Standbys the rule can use, in priority order (list order; '*' by name). */
function candidates(rule: Exclude<SyncRule, { kind: 'none' }>, standbys: readonly StandbyProgress[]): StandbyProgress[] {
  if (rule.names === '*') return [...standbys].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: StandbyProgress[] = [];
  for (const name of rule.names) {
    const s = standbys.find((x) => x.name.toLowerCase() === name);
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/** pg_stat_replication.sync_state for each standby. */
export function syncStates(rule: SyncRule, standbys: readonly StandbyProgress[]): Map<string, SyncStateName> {
  const states = new Map<string, SyncStateName>(standbys.map((s) => [s.name, 'async']));
  if (rule.kind === 'none') return states;
  const eligible = candidates(rule, standbys);
  eligible.forEach((s, i) => {
    states.set(s.name, rule.kind === 'any' ? 'quorum' : i < rule.count ? 'sync' : 'potential');
  });
  return states;
}

/**
 * Whether a commit ending at `lsn` may be acknowledged. FIRST N: the N highest-priority
 * connected standbys must all have flushed it, and there must be N of them; ANY N: any N
 * listed standbys. With rule `none` it is acknowledged at once (asynchronous).
 */
export function commitSatisfied(rule: SyncRule, standbys: readonly StandbyProgress[], lsn: Lsn): boolean {
  return rule.kind === 'none' || commitConfirmers(rule, standbys, lsn) !== null;
}

/**
 * The standbys whose flush acknowledges a commit ending at `lsn` (FIRST N: the N
 * highest-priority ones; ANY N: every listed one that has it), or null while the rule is
 * not satisfied. Why the names: the strict-sync invariant compares them with /sync.
 */
export function commitConfirmers(rule: Exclude<SyncRule, { kind: 'none' }>, standbys: readonly StandbyProgress[], lsn: Lsn): string[] | null {
  return confirmersOf(rule, standbys)(lsn);
}

/**
 * commitConfirmers for any number of LSNs against the same standbys: the candidates are
 * found once (every waiting commit is judged again at each standby flush). The usual
 * answer (not yet) builds no list.
 */
export function confirmersOf(rule: Exclude<SyncRule, { kind: 'none' }>, standbys: readonly StandbyProgress[]): (lsn: Lsn) => string[] | null {
  const eligible = candidates(rule, standbys);
  if (rule.kind === 'any') {
    return (lsn) => {
      let have = 0;
      for (const s of eligible) if (s.flushLsn >= lsn) have++;
      return have >= rule.count ? eligible.filter((s) => s.flushLsn >= lsn).map((s) => s.name) : null;
    };
  }
  return (lsn) => {
    if (eligible.length < rule.count) return null;
    for (let i = 0; i < rule.count; i++) if (eligible[i]!.flushLsn < lsn) return null;
    return eligible.slice(0, rule.count).map((s) => s.name);
  };
}
