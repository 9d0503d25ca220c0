/** close() drops the connection but leaves the session to expire by TTL. */
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class CloseKeepsSession extends ForwardingAdapter {
  override async close(): Promise<void> {
    this.inner.abandon();
  }
}

export const closeKeepsSession: BrokenAdapter = {
  rule: 'close() ends the session, so its keys go at once',
  caughtBy: 'lifecycle.close-ends-session',
  module: (server) => brokenModule(server, (inner, o) => new CloseKeepsSession(inner, o)),
};
