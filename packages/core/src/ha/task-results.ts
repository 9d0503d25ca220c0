/**
 * What a finished task means for the engine's memory: the next cycle's decision reads
 * these flags (bootstrap stage, vetoed promotion, rewind outcome, whom we follow).
 */
import type { UpstreamNode } from '../postgres/upstream.js';
import { standbyFingerprint } from './standby-fingerprint.js';
import type { TaskResult } from './task-runner.js';
import type { FollowingState, HaMemory } from './view.js';

function followingFrom(value: unknown): FollowingState | null {
  if (typeof value !== 'object' || value === null || !('role' in value)) return null;
  const v = value as { upstream?: UpstreamNode | null; role: 'replica' | 'standby_leader' };
  return { upstream: v.upstream?.name ?? null, connUrl: v.upstream?.connUrl ?? null, role: v.role, standby: standbyFingerprint(v.upstream ?? null) };
}

export function memoryAfterTask(memory: HaMemory, r: TaskResult): HaMemory {
  switch (r.kind) {
    case 'bootstrap':
      // A standby leader's bootstrap is a clone that already follows the remote: no post_bootstrap.
      if (r.ok && isStandbyBootstrap(r.value)) return { ...memory, bootstrap: 'done', following: followingFrom(r.value) };
      return { ...memory, bootstrap: r.ok ? 'started' : 'failed' };
    case 'post-bootstrap':
      return { ...memory, bootstrap: r.ok ? 'done' : 'failed' };
    case 'promote':
      if (r.ok) return { ...memory, checkpointAfterPromote: 'needed', following: null };
      // A pre_promote veto makes the next cycle release the lock and back off for ttl.
      return r.code === 'vetoed' ? { ...memory, prePromoteVetoed: true } : memory;
    case 'rewind':
      if (r.ok) return { ...memory, rewind: r.value === 'removed-for-reclone' ? 'initial' : 'success', following: null };
      // Stay in NEED and try again when the source was not ready (no checkpoint since its
      // promotion) or not reachable as a primary; only a rewind that failed against a
      // healthy source is final (Patroni's check_leader_is_not_in_recovery after a failure).
      return rewindRetryable(r) ? memory : { ...memory, rewind: 'failed' };
    case 'start':
    case 'follow':
    case 'clone':
    case 'reinitialize':
    case 'demote':
      return { ...memory, following: r.ok ? followingFrom(r.value) : null };
    default:
      return memory;
  }
}

/** A failed rewind that will be tried again (the loop waits for its regular cycle). */
export function rewindRetryable(r: TaskResult): boolean {
  return r.kind === 'rewind' && !r.ok && (r.code === 'not-ready' || r.code === 'connection-failed' || r.code === 'wrong-role');
}

function isStandbyBootstrap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { role?: unknown }).role === 'standby_leader';
}
