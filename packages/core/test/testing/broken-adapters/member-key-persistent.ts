/** touchMember() writes a persistent member key, not bound to the session. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class MemberKeyPersistent extends ForwardingAdapter {
  override async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    await this.inner.read(ctx); // reach the server as a real call would
    const stored = this.options.server.put(this.options.layout.member(this.options.name), value);
    return { kind: 'written', version: String(stored.modRevision) };
  }
}

export const memberKeyPersistent: BrokenAdapter = {
  rule: 'the member key is bound to the session and vanishes with it',
  caughtBy: 'expiry.abandoned',
  module: (server) => brokenModule(server, (inner, o) => new MemberKeyPersistent(inner, o)),
};
