/** write() overwrites whatever the version condition says (an update without CAS). */
import type { DcsCallContext, WriteCondition } from '../../../src/dcs/adapter.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import type { WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class WriteIgnoresVersion extends ForwardingAdapter {
  override write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.write(key, value, condition.kind === 'version' ? { kind: 'any' } : condition, ctx);
  }
}

export const writeIgnoresVersion: BrokenAdapter = {
  rule: 'write() honours its version condition (CAS)',
  caughtBy: 'writes.cas-stale',
  module: (server) => brokenModule(server, (inner, o) => new WriteIgnoresVersion(inner, o)),
};
