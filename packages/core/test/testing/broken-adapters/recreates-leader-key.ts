/** refreshLeader() re-creates a leader key that was deleted, instead of reporting lost. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class RecreatesLeaderKey extends ForwardingAdapter {
  override async refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const outcome = await this.inner.refreshLeader(current, ctx);
    if (outcome.kind === 'lost' && outcome.reason === 'not-held') return this.inner.acquireLeader(ctx);
    return outcome;
  }
}

export const recreatesLeaderKey: BrokenAdapter = {
  rule: 'refreshLeader() never re-creates a missing leader key',
  caughtBy: 'lock.no-recreate',
  module: (server) => brokenModule(server, (inner, o) => new RecreatesLeaderKey(inner, o)),
};
