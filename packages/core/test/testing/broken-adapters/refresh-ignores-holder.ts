/** refreshLeader() says held while the leader key exists, whoever it names. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class RefreshIgnoresHolder extends ForwardingAdapter {
  override async refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const outcome = await this.inner.refreshLeader(current, ctx);
    if (outcome.kind === 'lost' && outcome.reason === 'held-by-other') {
      return { kind: 'held', validUntil: this.options.server.clock.now() + this.options.ttlSeconds * 1000 };
    }
    return outcome;
  }
}

export const refreshIgnoresHolder: BrokenAdapter = {
  rule: 'refreshLeader() is held only if the key names this member and its live session',
  caughtBy: 'lock.lost-to-other',
  module: (server) => brokenModule(server, (inner, o) => new RefreshIgnoresHolder(inner, o)),
};
