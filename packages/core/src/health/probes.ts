/**
 * Kubernetes-style probes (spec/api.md §1.4). Both answer with a bare status line.
 */
import { holdsLock } from './health-flags.js';
import { isPrimaryRole, type NodeState } from './node-state.js';

/**
 * 200 while paused, or while the next planned HA cycle plus a grace of `ttl` (a running
 * primary) or `2*ttl` (anything else) is still ahead: a stuck loop fails the probe, a
 * replica later than a primary because its stall harms no one.
 */
export function livenessStatus(state: NodeState, now: number): 200 | 503 {
  const runningPrimary = isPrimaryRole(state.role) && state.postmasterRunning;
  const graceMs = state.ttl * (runningPrimary ? 1 : 2) * 1000;
  return state.paused || state.nextLoopAt + graceMs > now ? 200 : 503;
}

/** 200 when holding the lock, or when Postgres runs and a DCS view is cached. */
export function readinessStatus(state: NodeState, now: number): 200 | 503 {
  if (holdsLock(state, now)) return 200;
  return state.state === 'running' && state.clusterKnown ? 200 : 503;
}
