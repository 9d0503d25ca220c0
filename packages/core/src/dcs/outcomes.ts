import type { DcsError } from '../errors.js';
import type { Cluster } from './cluster.js';

/**
 * Outcomes of DCS calls. The lock calls never answer with a bare boolean: "someone else
 * holds the lock" (`lost`) and "I could not find out" (`unavailable`) lead to different
 * actions — failsafe mode may act on `unavailable`, never on `lost`.
 */
export interface Unavailable {
  readonly kind: 'unavailable';
  readonly cause: DcsError;
}

export interface Held {
  readonly kind: 'held';
  /**
   * Monotonic time (Clock.now) until which no other member can take the lock: when the
   * acknowledged renewal was *sent*, plus the TTL the server granted. Measured from the
   * send, not from the answer, so a slow answer can only make it earlier than the truth.
   */
  readonly validUntil: number;
}

export type LostReason =
  /** The leader key exists and belongs to another member or session. */
  | 'held-by-other'
  /** The leader key is absent, or our session/lease has expired. */
  | 'not-held';

export interface Lost {
  readonly kind: 'lost';
  readonly reason: LostReason;
  /** The member named in the leader key, when the adapter saw it. */
  readonly holder?: string;
}

export type LockOutcome = Held | Lost | Unavailable;

export type ReleaseOutcome = { readonly kind: 'released' } | { readonly kind: 'not-owner' } | Unavailable;

/**
 * A write: `version` is the key's new version when the backend reports it (etcd
 * mod_revision, ZooKeeper znode version, Consul ModifyIndex), else null. `conflict`
 * means the condition (absent, or a version) did not hold; nothing was written.
 */
export type WriteOutcome =
  | { readonly kind: 'written'; readonly version: string | null }
  | { readonly kind: 'conflict' }
  | Unavailable;

export type LoadOutcome = { readonly kind: 'loaded'; readonly cluster: Cluster } | Unavailable;

export function unavailable(cause: DcsError): Unavailable {
  return { kind: 'unavailable', cause };
}
