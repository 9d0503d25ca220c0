/** create() returns a client without checking that the server answers. */
import { brokenModule, ForwardingAdapter, type BrokenAdapter } from './forwarding.js';

export const createSkipsReachability: BrokenAdapter = {
  rule: 'create() fails with a DcsError when the server cannot be reached',
  caughtBy: 'lifecycle.create-unreachable',
  module: (server) => brokenModule(server, (inner, o) => new ForwardingAdapter(inner, o), true, false),
};
