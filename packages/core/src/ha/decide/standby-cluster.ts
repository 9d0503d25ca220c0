/**
 * Standby clusters (spec/ha.md §1.16): a cluster whose `/config` has a `standby_cluster`
 * section replicates from another, remote, cluster. Its lock holder is the *standby
 * leader*: it streams from the remote (or restores from its archive) and never runs
 * writable; the other members cascade from it. Removing the section promotes the standby
 * leader (a normal promotion); adding it to a running primary demotes it in place.
 */
import type { JsonRecord } from '../../config/checker.js';
import type { RewindSource } from '../../postgres/rewind.js';
import type { StandbyRecovery, UpstreamNode } from '../../postgres/upstream.js';
import { decision, type Action, type Decision } from '../actions.js';
import type { Ctx } from './context.js';
import { triggerRewindCheck } from './demotion.js';

/** What Patroni names the remote source in its logs (it adds a uuid; pgwarden keeps the name stable). */
export const REMOTE_MEMBER_NAME = 'remote_member';

export function isStandbyCluster(ctx: Pick<Ctx, 'config'>): boolean {
  return ctx.config.standbyCluster !== null;
}

function text(section: JsonRecord, key: string): string | null {
  const v = section[key];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : null;
}

function methods(section: JsonRecord): readonly string[] | null {
  const v = section['create_replica_methods'];
  if (typeof v === 'string') return v ? [v] : null;
  return Array.isArray(v) && v.length ? v.filter((m): m is string => typeof m === 'string') : null;
}

/** The settings of the standby_cluster section that go with a source; `remote` for the standby leader's. */
export function standbyRecovery(section: JsonRecord, remote: boolean): StandbyRecovery {
  return {
    remote,
    primarySlotName: remote ? text(section, 'primary_slot_name') : null,
    restoreCommand: text(section, 'restore_command'),
    archiveCleanupCommand: text(section, 'archive_cleanup_command'),
    recoveryMinApplyDelay: remote ? text(section, 'recovery_min_apply_delay') : null,
    createReplicaMethods: remote ? methods(section) : null,
  };
}

/**
 * The remote primary as a source (Patroni's get_remote_member): a conn_url built from
 * host and port when either is set (libpq defaults fill in the other), else none, and
 * the node then only restores from the archive.
 */
export function remoteSource(section: JsonRecord): UpstreamNode {
  const host = text(section, 'host');
  const port = text(section, 'port');
  const connUrl = host || port ? `postgres://${hostPart(host ?? 'localhost')}${port ? `:${port}` : ''}/postgres` : null;
  return { name: REMOTE_MEMBER_NAME, connUrl, standby: standbyRecovery(section, true) };
}

/** IPv6 literals need brackets in a URL; a Unix socket directory is percent-encoded. */
function hostPart(host: string): string {
  if (host.startsWith('/')) return encodeURIComponent(host);
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Whom a member of a standby cluster streams from (§1.12 step 1): the remote when it
 * holds the lock, or when nobody does and the cluster is not paused; else the usual
 * choice, with the section's restore and cleanup commands attached.
 */
export function standbyNodeToFollow(ctx: Ctx, usual: UpstreamNode | null): UpstreamNode | null {
  const section = ctx.config.standbyCluster;
  if (!section) return usual;
  if (ctx.node.tags.nostream) return null;
  const leader = ctx.cluster.leader;
  if ((leader && leader.name === ctx.me) || (!leader && !ctx.paused)) return remoteSource(section);
  return usual ? { ...usual, standby: standbyRecovery(section, false) } : null;
}

/** The role a follow gives us: standby_leader when we stream from the remote with the lock. */
export function followRole(ctx: Ctx, target: UpstreamNode | null): 'replica' | 'standby_leader' {
  return target?.standby?.remote && ctx.ownsLock ? 'standby_leader' : 'replica';
}

/**
 * A running primary in a standby cluster: stop it (fast, no checkpoint) and start it
 * again following the remote (demote-cluster). The lock holder keeps the lock and comes
 * back as the standby leader.
 */
export function demoteClusterActions(ctx: Ctx, target: UpstreamNode | null): Action[] {
  return [
    { type: 'remember', patch: { rewind: triggerRewindCheck(ctx) } },
    { type: 'demote', mode: 'demote-cluster', upstream: target, role: followRole(ctx, target) },
  ];
}

/** The lock holder's answer in a standby cluster (Patroni's enforce_follow_remote_member). */
export function standbyLeaderMessages(ctx: Ctx): { reason: Decision['reason']; message: string } {
  if (!ctx.cluster.leader) return { reason: 'standby-leader-acquired', message: 'promoted self to a standby leader by acquiring session lock' };
  return ctx.role === 'standby_leader'
    ? { reason: 'standby-leader-no-action', message: `no action. I am (${ctx.me}), the standby leader with the lock` }
    : { reason: 'standby-leader-promoted', message: 'promoted self to a standby leader because i had the session lock' };
}

/** `waiting for standby_leader to bootstrap` instead of `waiting for leader to bootstrap`. */
export function bootstrapWaitMessage(ctx: Pick<Ctx, 'config'>): string {
  return isStandbyCluster(ctx) ? 'waiting for standby_leader to bootstrap' : 'waiting for leader to bootstrap';
}

export function standbyBootstrapDecision(ctx: Ctx): Decision | null {
  const section = ctx.config.standbyCluster;
  if (!section) return null;
  const remote = remoteSource(section);
  return decision('bootstrap-standby-leader', 'trying to bootstrap a new standby leader', [
    { type: 'remember', patch: { bootstrap: 'running' } },
    { type: 'bootstrap', standbyLeader: remote },
  ]);
}

/**
 * In a standby cluster every member compares its history with the remote primary and
 * rewinds from it (Patroni's _handle_rewind_or_reinitialize): the standby leader is not a
 * primary and cannot be a pg_rewind source. Null when the section names no host/port;
 * undefined outside a standby cluster.
 */
export function remoteRewindSource(ctx: Ctx): RewindSource | null | undefined {
  const section = ctx.config.standbyCluster;
  if (!section) return undefined;
  const remote = remoteSource(section);
  // Whether the remote ran its post-promote checkpoint is not published to us: pg_rewind says so if not.
  return remote.connUrl ? { name: remote.name, connUrl: remote.connUrl, checkpointedAfterPromote: true } : null;
}
