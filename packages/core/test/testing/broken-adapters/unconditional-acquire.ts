/** acquireLeader() writes the leader key even when another member holds it. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { LockOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class UnconditionalAcquire extends ForwardingAdapter {
  override acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.inner.takeLeader(ctx);
  }
}

export const unconditionalAcquire: BrokenAdapter = {
  rule: 'acquireLeader() creates the leader key only if it is absent',
  caughtBy: 'lock.race',
  module: (server) => brokenModule(server, (inner, o) => new UnconditionalAcquire(inner, o)),
};
