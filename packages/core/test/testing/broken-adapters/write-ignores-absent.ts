/** write() with "absent" overwrites an existing key (no create-if-absent). */
import type { DcsCallContext, WriteCondition } from '../../../src/dcs/adapter.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import type { WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class WriteIgnoresAbsent extends ForwardingAdapter {
  override write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.write(key, value, condition.kind === 'absent' ? { kind: 'any' } : condition, ctx);
  }
}

export const writeIgnoresAbsent: BrokenAdapter = {
  rule: 'write() with "absent" creates the key only if it does not exist',
  caughtBy: 'writes.initialize',
  module: (server) => brokenModule(server, (inner, o) => new WriteIgnoresAbsent(inner, o)),
};
