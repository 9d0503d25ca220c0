/**
 * How a node talks to the other members' REST APIs: their `/patroni` status during a
 * leader race or a voluntary demotion, and `POST /failsafe` while the DCS is down.
 */
import type { FailsafePoster, PeerStatusFetcher } from './ports.js';

export interface PeerClient {
  readonly fetchStatus: PeerStatusFetcher;
  /** Resolves true only for HTTP 200 with body `Accepted`. */
  readonly postFailsafe: FailsafePoster;
}

/**
 * For a node that asks nobody (a single-node test, tooling): every peer reads as
 * unreachable and no member accepts a failsafe request, so a primary cut off from the
 * DCS demotes as it would with failsafe_mode off.
 */
export const NO_PEERS: PeerClient = Object.freeze<PeerClient>({
  fetchStatus: async (peer) => {
    throw new Error(`${peer.name}: this node has no peer client`);
  },
  postFailsafe: async () => false,
});
