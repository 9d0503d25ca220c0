/**
 * The demotion sequences (spec/ha.md §2). The stop is what keeps us safe, so it runs
 * first and synchronously for every mode but `graceful` (which a user asked for and
 * which runs as the async task); restarting as a replica comes after, as a task.
 *
 * | mode             | stop      | checkpoint | lock                 | then                      |
 * | graceful         | fast      | yes        | released after stop  | follow the new leader     |
 * | immediate        | immediate | no         | released after stop  | task: follow new leader   |
 * | immediate-nolock | immediate | no         | not ours: untouched  | task: follow new leader   |
 * | offline          | fast      | no         | unreachable          | task: read-only, no source|
 * | demote-cluster   | fast      | no         | kept                 | task: follow the remote   |
 */
import { findMember } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { Logger } from '../logger.js';
import type { UpstreamNode } from '../postgres/upstream.js';
import type { Clock } from '../time/clock.js';
import type { DemoteMode } from './actions.js';
import type { HaPostgres } from './ports.js';

export interface DemoteDeps {
  readonly dcs: Dcs;
  readonly postgres: HaPostgres;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly me: string;
  readonly retryTimeoutMs: number;
  readonly syncMode: boolean;
  /** primary_stop_timeout in ms when it applies (synchronous mode), else null: see primary-stop-timeout.ts. */
  readonly primaryStopTimeoutMs?: number | null;
  /** How long before the lock's validUntil the lease guard stops Postgres itself (0: at it). */
  readonly guardActsBeforeExpiryMs?: number;
}

/**
 * What a bounded fast stop leaves, before the guard acts, for the immediate stop that
 * follows it when it runs out: SIGQUIT ends a postmaster within milliseconds, without
 * the shutdown checkpoint a fast stop writes (which a slow disk stretches to seconds).
 */
export const IMMEDIATE_STOP_RESERVE_MS = 1000;

/** The tighter of two stop bounds; undefined means the controller's default (pg_ctl_timeout). */
function tighter(a: number | undefined, b: number | null | undefined): number | undefined {
  if (b === null || b === undefined) return a;
  return a === undefined ? b : Math.min(a, b);
}

/** Stops Postgres the way `mode` says. Offline: fast, bounded by what is left of the lock before the guard acts, then immediate. */
export async function stopForDemotion(deps: DemoteDeps, mode: DemoteMode, lockValidUntil: number | null): Promise<boolean> {
  const { postgres, clock } = deps;
  const primaryLimit = deps.primaryStopTimeoutMs;
  if (mode === 'immediate' || mode === 'immediate-nolock') {
    return (await postgres.stop('immediate', { checkpoint: false, timeoutMs: tighter(deps.retryTimeoutMs, primaryLimit)! })).ok;
  }
  const checkpoint = mode === 'graceful';
  // pgwarden addition: a fast stop must not outlive our lock, or two primaries could overlap.
  // It ends early enough for the immediate stop to finish before the guard would act:
  // stepping down is the agent's job, the guard is the last resort.
  const guardMargin = deps.guardActsBeforeExpiryMs ?? 0;
  const left =
    lockValidUntil === null ? deps.retryTimeoutMs : Math.max(0, lockValidUntil - guardMargin - IMMEDIATE_STOP_RESERVE_MS - clock.now());
  // primary_stop_timeout (synchronous mode) bounds every mode's stop, as in Patroni's demote.
  const bounded = mode === 'offline' || mode === 'demote-cluster';
  const timeoutMs = tighter(bounded ? Math.min(left, deps.retryTimeoutMs) : undefined, primaryLimit);
  const fast = await postgres.stop('fast', timeoutMs === undefined ? { checkpoint } : { checkpoint, timeoutMs });
  if (fast.ok) return true;
  deps.logger.warn(`fast stop failed (${fast.message}); stopping immediately`);
  return (await postgres.stop('immediate', { checkpoint: false, timeoutMs: deps.retryTimeoutMs })).ok;
}

/** After a release: whom to follow now (the new leader from a fresh read, never ourselves). */
export async function newLeaderToFollow(deps: DemoteDeps): Promise<UpstreamNode | null> {
  const loaded = await deps.dcs.loadCluster();
  if (loaded.kind !== 'loaded') return null;
  const leader = loaded.cluster.leader;
  if (!leader || leader.name === deps.me) return null;
  const member = findMember(loaded.cluster, leader.name) ?? leader.member;
  return { name: leader.name, connUrl: typeof member.data.conn_url === 'string' ? member.data.conn_url : null };
}

/** Give the others a moment to take the lock (Patroni's 2 s after a release). */
export const AFTER_RELEASE_MS = 2000;
