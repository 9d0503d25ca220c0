/** Keys stored under the scope without the namespace: other Patroni tools would not find them. */
import { KeyLayout } from '../../../src/dcs/keys.js';
import { MemoryDcs } from '../../../src/dcs/memory/memory-dcs.js';
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

export const wrongKeyPath: BrokenAdapter = {
  rule: "keys live at Patroni's paths, /<namespace>/<scope>/<key>",
  caughtBy: 'layout.paths',
  module: (server) =>
    brokenModule(server, (_inner, o) => {
      const layout = new KeyLayout({ namespace: '/', scope: o.layout.scope });
      const options = { ...o, layout };
      return new ForwardingAdapter(new MemoryDcs(options), options);
    }),
};
