/**
 * Synchronous replication on the leader (§1.15). The invariant: a node listed in /sync
 * is already in synchronous_standby_names. So names are added to Postgres first and to
 * /sync second, and removed from /sync first and from Postgres second. Every /sync
 * write is a CAS; losing one ends this cycle's sync processing (the next cycle starts
 * again from a fresh snapshot).
 */
import type { ReplicationRow } from '../../postgres/observation.js';
import { decision, type Action, type Decision } from '../actions.js';
import { memberTags, type Ctx } from './context.js';
import { bySyncPriority } from './sync-priority.js';
import { withQuorumProcessing } from './quorum-sync.js';

/** Patroni's quote_ident for synchronous_standby_names. */
export function quoteStandbyName(name: string): string {
  return /^[A-Za-z_][A-Za-z_0-9$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `name`, or `N (a,b)` for several; `*` wins; null for none. */
export function formatStandbyNames(names: readonly string[]): string | null {
  if (names.includes('*')) return '*';
  const quoted = [...names].sort().map(quoteStandbyName);
  if (quoted.length > 1) return `${quoted.length} (${quoted.join(',')})`;
  return quoted[0] ?? null;
}

export interface SyncState {
  /** Standbys we want in synchronous_standby_names. */
  readonly picked: readonly string[];
  /** Those that are synchronous now and may be listed in /sync (may promote). */
  readonly confirmed: readonly string[];
  /** Memory update: the live names changed, remember when. */
  readonly remember: Action | null;
}

/** The LSN a standby acknowledges with, by synchronous_commit. */
export function lsnColumn(row: ReplicationRow, synchronousCommit: string): number {
  if (synchronousCommit === 'remote_apply') return row.replayLsn ?? 0;
  if (synchronousCommit === 'remote_write') return row.writeLsn ?? 0;
  return row.flushLsn ?? 0;
}

/** Patroni's current_state(): who should be synchronous, and who already safely is. */
export function currentSyncState(ctx: Ctx): SyncState {
  const obs = ctx.local.observation;
  if (!obs) return { picked: [], confirmed: [], remember: null };
  const live = obs.synchronousStandbyNames;
  const watch = ctx.memory.syncWatch;
  // When the live value changes, standbys become "ready" only once they pass the WAL
  // position of that moment: commits acknowledged before it did not wait for them.
  const changed = !watch || watch.names !== live;
  const remember: Action | null = changed ? { type: 'remember', patch: { syncWatch: { names: live, lsn: obs.walPosition } } } : null;
  const inDcs = new Set(ctx.cluster.sync.syncStandbys.map((s) => s.toLowerCase()));
  const members = new Map(ctx.cluster.members.map((m) => [m.name.toLowerCase(), m]));
  const candidates = obs.replication
    .filter((r) => r.state === 'streaming')
    .map((r) => ({ row: r, member: members.get(r.applicationName.toLowerCase()), lsn: lsnColumn(r, obs.synchronousCommit) }))
    .filter((r) => r.member && r.member.data.state === 'running' && !memberTags(r.member).nosync)
    .sort((a, b) => (a.row.syncState === b.row.syncState ? b.lsn - a.lsn : a.row.syncState < b.row.syncState ? 1 : -1))
    // Nodes that may promote first; sort is stable, so the order above holds within each group.
    .sort((a, b) => Number(memberTags(a.member!).nofailover) - Number(memberTags(b.member!).nofailover));
  // Patroni 4.1: a higher sync_priority tag goes first; the order above holds within one priority.
  const rows = bySyncPriority(candidates, (r) => memberTags(r.member!).syncPriority);
  const best = rows.reduce((max, r) => Math.max(max, r.lsn), 0);
  const picked: string[] = [];
  const confirmed: string[] = [];
  for (const r of rows) {
    if (ctx.config.maximumLagOnSyncnode > 0 && best - r.lsn > ctx.config.maximumLagOnSyncnode) continue;
    const name = r.member!.name;
    const ready = inDcs.has(name.toLowerCase()) || (!changed && watch !== null && r.lsn >= watch.lsn);
    picked.push(name);
    if (r.row.syncState === 'sync' && ready) confirmed.push(name);
    if (picked.length >= ctx.config.synchronousNodeCount) break;
  }
  return { picked, confirmed, remember };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = new Set(a.map((s) => s.toLowerCase()));
  return x.size === new Set(b.map((s) => s.toLowerCase())).size && b.every((s) => x.has(s.toLowerCase()));
};

/**
 * Wraps `leaf` (the cycle's outcome on the leader) with this cycle's sync processing.
 * The leaf's message stands whatever happens here.
 */
export function withSyncProcessing(ctx: Ctx, leaf: Decision): Decision {
  const sync = ctx.cluster.sync;
  if (!ctx.syncMode) {
    if (!sync.leader) return leaf;
    // Sync mode was switched off: forget /sync, then hand synchronous_standby_names back to the user.
    const userValue = ctx.config.parameters.synchronous_standby_names;
    return prependTo(leaf, [
      { type: 'deleteSync', version: sync.version },
      { type: 'setSyncStandbyNames', value: typeof userValue === 'string' && userValue ? userValue : null },
    ]);
  }
  // Quorum commit keeps /sync and synchronous_standby_names by its own rule (quorum-rule.ts).
  if (ctx.quorumMode) return withQuorumProcessing(ctx, leaf);
  const state = currentSyncState(ctx);
  const pre: Action[] = state.remember ? [state.remember] : [];
  const write = (standbys: readonly string[], chain: boolean, then: Decision): Action => ({
    type: 'writeSync',
    leader: ctx.me,
    standbys,
    version: sync.version,
    chain,
    onWritten: then,
    onConflict: leaf,
  });
  if (!sync.leader) {
    // Enabling: write /sync naming only us, so sync mode becomes active even with no replica yet.
    return prependTo(decision(leaf.reason, leaf.message, [write([], false, leaf)]), pre);
  }
  const current = sync.syncStandbys;
  const { picked, confirmed } = state;
  if (sameSet(picked, current)) {
    if (sameSet(current, confirmed)) return prependTo(leaf, pre);
    return prependTo(decision(leaf.reason, leaf.message, [write(confirmed, false, leaf)]), pre);
  }
  const common = current.filter((c) => confirmed.some((x) => x.toLowerCase() === c.toLowerCase()));
  const strictEmpty = ctx.config.synchronousModeStrict && picked.length === 0;
  const setNames: Action = { type: 'setSyncStandbyNames', value: strictEmpty ? '*' : formatStandbyNames(picked) };
  const grow = confirmed.length > 0 && !sameSet(confirmed, common);
  const afterNames = grow ? decision(leaf.reason, leaf.message, [setNames, write(confirmed, true, leaf)]) : prependTo(leaf, [setNames]);
  if (!sameSet(common, current)) {
    // Shrink /sync first: a node leaving synchronous_standby_names must leave /sync before.
    return prependTo(decision(leaf.reason, leaf.message, [write(common, false, afterNames)]), pre);
  }
  return prependTo(afterNames, pre);
}

function prependTo(d: Decision, actions: readonly Action[]): Decision {
  return actions.length ? { ...d, actions: [...actions, ...d.actions] } : d;
}
