/** The watch stream ends when the connection fails and is never re-established. */
import type { DcsCallContext, DcsWatchEvent, RawSnapshot } from '../../../src/dcs/adapter.js';
import type { Unavailable } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class WatchDiesOnOutage extends ForwardingAdapter {
  private readonly stops = new Set<() => void>();

  override async read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    try {
      return await super.read(ctx, options);
    } catch (error) {
      for (const stop of this.stops) stop(); // the stream broke with the connection
      this.stops.clear();
      throw error;
    }
  }

  override watch(listener: (event: DcsWatchEvent) => void): () => void {
    const stop = this.inner.watch(listener);
    this.stops.add(stop);
    return () => {
      stop();
      this.stops.delete(stop);
    };
  }
}

export const watchDiesOnOutage: BrokenAdapter = {
  rule: 'watch() re-establishes itself after the connection fails',
  caughtBy: 'outage.watch-resumes',
  module: (server) => brokenModule(server, (inner, o) => new WatchDiesOnOutage(inner, o)),
};
