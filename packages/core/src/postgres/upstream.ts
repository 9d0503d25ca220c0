/**
 * Where a replica streams from, or a clone/rewind reads from. The engine builds it from
 * the member key of the chosen node (its `conn_url`).
 */
export interface UpstreamNode {
  /** Member name (for logs, and the slot name on the upstream). */
  readonly name: string;
  /** `postgres://host:port/dbname` from the member key; null when the member has none. */
  readonly connUrl: string | null;
}

/** What `follow` makes the local node do. */
export interface FollowRequest {
  /** null = run read-only with no upstream (offline demotion, no leader known). */
  readonly upstream: UpstreamNode | null;
  /** Role after following: `replica` normally, `standby_leader` in a standby cluster. */
  readonly role?: 'replica' | 'standby_leader';
  /** The slot to use on the upstream; default: our sanitised member name when use_slots. */
  readonly slotName?: string | null;
  /** Restart if the recovery config change cannot be applied by reload (default true). */
  readonly restartIfNeeded?: boolean;
}

export type FollowOutcome =
  | 'unchanged'
  | 'reloaded'
  | 'restarted'
  /** Postgres was not running and has been started as a replica. */
  | 'started';
