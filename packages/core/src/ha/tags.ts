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
  /** Effective: an explicit `nosync` wins, else `sync_priority <= 0`. */
  readonly nosync: boolean;
  /** Higher is preferred as a synchronous standby; 0 when nosync is set explicitly; default 1. */
  readonly syncPriority: number;
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
  syncPriority: 1,
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
    ...syncTags(raw),
    nostream: readBool(raw.nostream, false),
    clonefrom: readBool(raw.clonefrom, false),
    noloadbalance: readBool(raw.noloadbalance, false),
    replicatefrom: typeof raw.replicatefrom === 'string' && raw.replicatefrom ? raw.replicatefrom : null,
    raw,
  };
}

/** Patroni 4.1's nosync / sync_priority pair, read like nofailover / failover_priority. */
function syncTags(raw: Readonly<Record<string, unknown>>): { nosync: boolean; syncPriority: number } {
  const explicit = raw.nosync;
  const priority = readInt(raw.sync_priority, 1);
  const set = explicit !== undefined && explicit !== null;
  return {
    nosync: set ? readBool(explicit, false) : raw.sync_priority !== undefined && raw.sync_priority !== null && priority <= 0,
    syncPriority: set && readBool(explicit, false) ? 0 : priority,
  };
}
