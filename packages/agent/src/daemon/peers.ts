/**
 * Asking peers for their `/patroni` status, as Patroni does during leader races and
 * before a switchover: a plain GET of each member's `api_url`, 2 s budget, no retry.
 */
import { failoverLimitation, parsePeerStatus, type Member, type PeerStatusFetcher } from '@pgwarden/core';

export const PEER_TIMEOUT_MS = 2000;

export const fetchPeerStatus: PeerStatusFetcher = async (peer, signal) => {
  const res = await fetch(peer.apiUrl, { signal: AbortSignal.any([signal, AbortSignal.timeout(PEER_TIMEOUT_MS)]) });
  if (!res.ok && res.status !== 503) throw new Error(`${peer.apiUrl} answered ${res.status}`);
  return (await res.json()) as unknown;
};

/** Patroni's "good candidate": answers, not nofailover, priority above 0, working watchdog. */
export async function anyHealthyCandidate(members: readonly Member[]): Promise<boolean> {
  const answers = await Promise.all(
    members.map(async (m) => {
      const apiUrl = typeof m.data.api_url === 'string' ? m.data.api_url : '';
      if (!apiUrl) return false;
      try {
        const body = await fetchPeerStatus({ name: m.name, apiUrl }, AbortSignal.timeout(PEER_TIMEOUT_MS));
        const peer = parsePeerStatus(m.name, body);
        return failoverLimitation(peer) === null && peer.failoverPriority > 0;
      } catch {
        return false;
      }
    }),
  );
  return answers.some(Boolean);
}
