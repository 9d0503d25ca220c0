/** setTtl() changes the validUntil it reports, but the server keeps the old TTL. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class TtlChangeNotApplied extends ForwardingAdapter {
  private claimedTtlMs = this.options.ttlSeconds * 1000;

  override setTtl(ttlSeconds: number): void {
    this.claimedTtlMs = ttlSeconds * 1000;
  }

  override async refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.options.server.clock.now();
    const outcome = await this.inner.refreshLeader(current, ctx);
    return outcome.kind === 'held' ? { kind: 'held', validUntil: sentAt + this.claimedTtlMs } : outcome;
  }
}

export const ttlChangeNotApplied: BrokenAdapter = {
  rule: 'after setTtl(), the lock lives as long as the validUntil reported',
  caughtBy: 'expiry.ttl-change',
  module: (server) => brokenModule(server, (inner, o) => new TtlChangeNotApplied(inner, o)),
};
