/** Requests are sent without the call's signal: a server that does not answer hangs the call. */
import type { DcsCallContext, RawSnapshot, WriteCondition } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

/** A context that never aborts. */
function forever(): DcsCallContext {
  return { signal: new AbortController().signal, deadline: Number.POSITIVE_INFINITY };
}

class IgnoresDeadline extends ForwardingAdapter {
  override read(_ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    return super.read(forever(), options);
  }
  override acquireLeader(): Promise<LockOutcome> {
    return super.acquireLeader(forever());
  }
  override refreshLeader(current: RawEntry | null): Promise<LockOutcome> {
    return super.refreshLeader(current, forever());
  }
  override releaseLeader(): Promise<ReleaseOutcome> {
    return super.releaseLeader(forever());
  }
  override takeLeader(): Promise<LockOutcome> {
    return super.takeLeader(forever());
  }
  override touchMember(value: string): Promise<WriteOutcome> {
    return super.touchMember(value, forever());
  }
  override write(key: DataKey, value: string, condition: WriteCondition): Promise<WriteOutcome> {
    return super.write(key, value, condition, forever());
  }
  override remove(key: DataKey, condition: WriteCondition): Promise<WriteOutcome> {
    return super.remove(key, condition, forever());
  }
  override removeCluster(): Promise<WriteOutcome> {
    return super.removeCluster(forever());
  }
}

export const ignoresDeadline: BrokenAdapter = {
  rule: "every call settles by its context's deadline",
  caughtBy: 'lifecycle.deadline',
  module: (server) => brokenModule(server, (inner, o) => new IgnoresDeadline(inner, o), false),
};
