/**
 * Member tags (spec/ha.md §0) as the engine reads them, from patroni.yml for this node
 * and from member keys or `/patroni` answers for peers.
 */
import { isRecord, readBool, readInt } from '../config/lenient.js';

export interface NodeTags {
  /** Effective: an explicit `nofailover` wins, else `failover_priority <= 0`. */
  readonly nofailover: boolean;
  /** 0 when nofailover is set explicitly; default 1. */
  readonly failoverPriority: number;
  readonly nosync: boolean;
  readonly nostream: boolean;
  readonly clonefrom: boolean;
  readonly noloadbalance: boolean;
  readonly replicatefrom: string | null;
  /** The tags object as configured (patroni.yml `tags`), custom keys included; what the member key publishes. */
  readonly raw?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_TAGS: NodeTags = {
  nofailover: false,
  failoverPriority: 1,
  nosync: false,
  nostream: false,
  clonefrom: false,
  noloadbalance: false,
  replicatefrom: null,
};

/** Reads a tags object the way Patroni's Tags mixin does. */
export function readTags(raw: unknown): NodeTags {
  if (!isRecord(raw)) return DEFAULT_TAGS;
  const explicit = raw.nofailover;
  const priority = readInt(raw.failover_priority, 1);
  const nofailover = explicit !== undefined && explicit !== null ? readBool(explicit, false) : raw.failover_priority !== undefined && priority <= 0;
  return {
    nofailover,
    failoverPriority: explicit !== undefined && explicit !== null && readBool(explicit, false) ? 0 : priority,
    nosync: readBool(raw.nosync, false),
    nostream: readBool(raw.nostream, false),
    clonefrom: readBool(raw.clonefrom, false),
    noloadbalance: readBool(raw.noloadbalance, false),
    replicatefrom: typeof raw.replicatefrom === 'string' && raw.replicatefrom ? raw.replicatefrom : null,
    raw,
  };
}
