/** remove() deletes whatever the version condition says. */
import type { DcsCallContext, WriteCondition } from '../../../src/dcs/adapter.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import type { WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class RemoveIgnoresVersion extends ForwardingAdapter {
  override remove(key: DataKey, _condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.remove(key, { kind: 'any' }, ctx);
  }
}

export const removeIgnoresVersion: BrokenAdapter = {
  rule: 'remove() honours its version condition',
  caughtBy: 'writes.cas-delete',
  module: (server) => brokenModule(server, (inner, o) => new RemoveIgnoresVersion(inner, o)),
};
