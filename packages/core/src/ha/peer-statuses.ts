/**
 * Peers' `/patroni` answers for one cycle: every target asked in parallel within one
 * shared 2 s budget, no retry; one that fails or does not answer in time reads as
 * unreachable.
 */
import type { Clock } from '../time/clock.js';
import { parsePeerStatus, unreachablePeer, type PeerStatus } from './peers.js';
import type { PeerStatusFetcher } from './ports.js';

export const PEER_STATUS_TIMEOUT_MS = 2000;

/** `targets`: member name → api_url. */
export async function fetchPeerStatuses(fetcher: PeerStatusFetcher, clock: Clock, targets: ReadonlyMap<string, string>): Promise<ReadonlyMap<string, PeerStatus>> {
  const out = new Map<string, PeerStatus>();
  const abort = new AbortController();
  const timer = clock.setTimer(PEER_STATUS_TIMEOUT_MS, () => abort.abort(new Error('peer status timed out')));
  const expired = new Promise<null>((resolve) => abort.signal.addEventListener('abort', () => resolve(null), { once: true }));
  await Promise.all(
    [...targets].map(async ([name, apiUrl]) => {
      try {
        const body = await Promise.race([fetcher({ name, apiUrl }, abort.signal), expired]);
        out.set(name, body === null ? unreachablePeer(name) : parsePeerStatus(name, body));
      } catch {
        out.set(name, unreachablePeer(name));
      }
    }),
  );
  timer.cancel();
  return out;
}
