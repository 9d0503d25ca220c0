/** After close(), the adapter quietly opens a new client and keeps answering (no closed flag). */
import { MemoryDcs } from '../../../src/dcs/memory/memory-dcs.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

class CallsAfterClose extends ForwardingAdapter {
  override async close(): Promise<void> {
    await this.inner.close();
    this.inner = new MemoryDcs(this.options); // "reconnects" for whoever calls next
  }
}

export const callsAfterClose: BrokenAdapter = {
  rule: 'every call after close() is refused',
  caughtBy: 'lifecycle.closed',
  module: (server) => brokenModule(server, (inner, o) => new CallsAfterClose(inner, o), false),
};
