/**
 * Where a replica streams from, or a clone/rewind reads from. The engine builds it from
 * the member key of the chosen node (its `conn_url`).
 */
export interface UpstreamNode {
  /** Member name (for logs, and the slot name on the upstream). */
  readonly name: string;
  /** `postgres://host:port/dbname` from the member key; null when the member has none. */
  readonly connUrl: string | null;
  /** Set in a standby cluster: the settings of its `standby_cluster` section that travel with this source. */
  readonly standby?: StandbyRecovery;
}

/**
 * What a standby cluster adds to a node's recovery settings (Patroni's RemoteMember data).
 * For the standby leader the source is the remote primary and every field applies; for
 * the members cascading from it only `restoreCommand` and `archiveCleanupCommand` do.
 */
export interface StandbyRecovery {
  /** The source is the remote cluster (the standby leader streams from it). */
  readonly remote: boolean;
  /** The slot to use on the remote; null: stream without a slot. */
  readonly primarySlotName: string | null;
  readonly restoreCommand: string | null;
  readonly archiveCleanupCommand: string | null;
  readonly recoveryMinApplyDelay: string | null;
  /** How to clone from the remote; null: postgresql.create_replica_methods. */
  readonly createReplicaMethods: readonly string[] | null;
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
