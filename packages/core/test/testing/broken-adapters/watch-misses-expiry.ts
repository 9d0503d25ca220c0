/**
 * The watch reports only the deletes a client made, never a key vanishing because its
 * session expired (as a watch that diffs the results of its own calls would).
 */
import type { DcsCallContext, DcsWatchEvent, WriteCondition } from '../../../src/dcs/adapter.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import type { ReleaseOutcome, WriteOutcome } from '../../../src/dcs/outcomes.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

/** Deletes made by client calls in flight, across every client of the module. */
interface InFlight {
  deletes: number;
}

class WatchMissesExpiry extends ForwardingAdapter {
  constructor(
    inner: ConstructorParameters<typeof ForwardingAdapter>[0],
    options: ConstructorParameters<typeof ForwardingAdapter>[1],
    private readonly inFlight: InFlight,
  ) {
    super(inner, options);
  }

  private async deleting<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight.deletes++;
    try {
      return await call();
    } finally {
      this.inFlight.deletes--;
    }
  }

  override releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.deleting(() => this.inner.releaseLeader(ctx));
  }
  override remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deleting(() => this.inner.remove(key, condition, ctx));
  }
  override removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deleting(() => this.inner.removeCluster(ctx));
  }
  override watch(listener: (event: DcsWatchEvent) => void): () => void {
    return this.inner.watch((event) => {
      if (event.type === 'delete' && this.inFlight.deletes === 0) return;
      listener(event);
    });
  }
}

export const watchMissesExpiry: BrokenAdapter = {
  rule: 'watch() reports a session-bound key vanishing when its session ends',
  caughtBy: 'watch.expiry-delete',
  module: (server) => {
    const inFlight: InFlight = { deletes: 0 };
    return brokenModule(server, (inner, o) => new WatchMissesExpiry(inner, o, inFlight));
  },
};
