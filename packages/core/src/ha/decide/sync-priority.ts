/**
 * Patroni 4.1's order of synchronous standby candidates: a higher `sync_priority` tag
 * first; within one priority the order given (sync state, then WAL position) is kept.
 * Pure and stable, so it can wrap any candidate list.
 */
export function bySyncPriority<T>(candidates: readonly T[], priorityOf: (candidate: T) => number): T[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, priority: priorityOf(candidate) }))
    .sort((a, b) => b.priority - a.priority || a.index - b.index)
    .map((entry) => entry.candidate);
}
