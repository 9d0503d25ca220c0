/**
 * read() answers at once from a copy that it refreshes in the background and never
 * proves current: like a watch-maintained cache trusted with no round trip, it goes on
 * answering while the server is silent.
 */
import type { DcsCallContext, RawSnapshot } from '../../../src/dcs/adapter.js';
import type { Unavailable } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class StaleReadForever extends ForwardingAdapter {
  private copy: RawSnapshot | null = null;

  override async read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    if (options.linearizable || this.copy === null) {
      const snapshot = await this.inner.read(ctx);
      this.copy = snapshot;
      return snapshot;
    }
    this.inner.read(ctx).then(
      (snapshot) => (this.copy = snapshot),
      () => undefined,
    );
    return this.copy;
  }
}

export const staleReadForever: BrokenAdapter = {
  rule: 'a cached read answers unavailable within ttl/2 + retry_timeout of the server going silent',
  caughtBy: 'outage.cached-read-bound',
  module: (server) => brokenModule(server, (inner, o) => new StaleReadForever(inner, o)),
};
