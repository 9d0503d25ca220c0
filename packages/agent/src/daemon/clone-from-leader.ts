/**
 * `POST /reinitialize` with `from_leader: true` (Patroni 4.1; `pgwardenctl reinit
 * --from-leader`): after the data directory is emptied, clone it from the leader itself
 * rather than from a replica tagged clonefrom, then follow the leader. Runs inside the
 * reinitialize task, so the engine sees one task from start to finish.
 */
import { findMember, type Cluster, type TaskOutcome, type UpstreamNode } from '@pgwarden/core';
import type { ObservedController } from './observed-controller.js';

export function leaderUpstream(cluster: Cluster): UpstreamNode | null {
  const leader = cluster.leader;
  if (!leader) return null;
  const member = findMember(cluster, leader.name) ?? leader.member;
  return { name: leader.name, connUrl: typeof member.data.conn_url === 'string' ? member.data.conn_url : null };
}

export async function cloneFromLeader(controller: ObservedController, upstream: UpstreamNode, signal: AbortSignal): Promise<TaskOutcome> {
  const cloned = await controller.clone({ upstream }, { signal });
  if (!cloned.ok) {
    // A half-copied data directory must not be started: leave it empty for the next clone.
    await controller.removeDataDirectory();
    return { ok: false, code: cloned.code, message: cloned.message };
  }
  const followed = await controller.follow({ upstream, role: 'replica' }, { signal });
  return followed.ok ? { ok: true, value: { upstream, role: 'replica' } } : { ok: false, code: followed.code, message: followed.message };
}
