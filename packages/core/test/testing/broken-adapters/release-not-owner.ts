/** releaseLeader() deletes the leader key whoever holds it. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { ReleaseOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class ReleaseNotOwner extends ForwardingAdapter {
  override async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    await this.inner.read(ctx);
    this.options.server.deleteKey(this.options.layout.key('leader'));
    return { kind: 'released' };
  }
}

export const releaseNotOwner: BrokenAdapter = {
  rule: 'releaseLeader() deletes the leader key only if it names this member',
  caughtBy: 'lock.release-not-owner',
  module: (server) => brokenModule(server, (inner, o) => new ReleaseNotOwner(inner, o)),
};
