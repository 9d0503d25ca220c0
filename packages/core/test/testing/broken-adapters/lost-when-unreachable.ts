/** refreshLeader() answers lost when the server cannot be reached, instead of unavailable. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class LostWhenUnreachable extends ForwardingAdapter {
  override async refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    try {
      return await this.inner.refreshLeader(current, ctx);
    } catch {
      return { kind: 'lost', reason: 'not-held' };
    }
  }
}

export const lostWhenUnreachable: BrokenAdapter = {
  rule: 'a call the server did not answer is unavailable, never lost (failsafe acts only on unavailable)',
  caughtBy: 'outage.stopped',
  module: (server) => brokenModule(server, (inner, o) => new LostWhenUnreachable(inner, o)),
};
