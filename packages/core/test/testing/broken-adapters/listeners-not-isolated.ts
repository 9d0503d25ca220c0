/**
 * One backend watch fanned out to listeners in a plain loop, without the guard: the
 * first listener that throws ends the loop, and the throw escapes into the backend.
 */
import type { DcsWatchEvent } from '../../../src/dcs/adapter.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class ListenersNotIsolated extends ForwardingAdapter {
  private readonly listeners = new Set<(event: DcsWatchEvent) => void>();
  private stopInner: (() => void) | undefined;

  override watch(listener: (event: DcsWatchEvent) => void): () => void {
    this.listeners.add(listener);
    this.stopInner ??= this.inner.watch((event) => {
      for (const l of this.listeners) l(event);
    });
    return () => this.listeners.delete(listener);
  }
}

export const listenersNotIsolated: BrokenAdapter = {
  rule: 'a throwing watch listener does not starve the others',
  caughtBy: 'watch.isolated-listeners',
  module: (server) => brokenModule(server, (inner, o) => new ListenersNotIsolated(inner, o), false),
};
