/** validUntil measured from the answer plus a margin, later than the server will keep the key. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

const OVERSTATED_MS = 1500;

function overstate(outcome: LockOutcome): LockOutcome {
  return outcome.kind === 'held' ? { kind: 'held', validUntil: outcome.validUntil + OVERSTATED_MS } : outcome;
}

class OverstatedValidUntil extends ForwardingAdapter {
  override async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return overstate(await this.inner.acquireLeader(ctx));
  }
  override async refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    return overstate(await this.inner.refreshLeader(current, ctx));
  }
}

export const overstatedValidUntil: BrokenAdapter = {
  rule: 'validUntil is no later than the send time plus the TTL granted',
  caughtBy: 'lock.refresh-valid-until',
  module: (server) => brokenModule(server, (inner, o) => new OverstatedValidUntil(inner, o)),
};
