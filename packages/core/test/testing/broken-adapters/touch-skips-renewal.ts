/** touchMember() skips an unchanged value without renewing the session. */
import type { DcsCallContext } from '../../../src/dcs/adapter.js';
import type { WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class TouchSkipsRenewal extends ForwardingAdapter {
  private last: string | undefined;

  override async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    if (value === this.last) return { kind: 'written', version: null };
    const outcome = await this.inner.touchMember(value, ctx);
    if (outcome.kind === 'written') this.last = value;
    return outcome;
  }
}

export const touchSkipsRenewal: BrokenAdapter = {
  rule: 'touchMember() renews the session even when the value is unchanged',
  caughtBy: 'expiry.touch-renews',
  module: (server) => brokenModule(server, (inner, o) => new TouchSkipsRenewal(inner, o)),
};
