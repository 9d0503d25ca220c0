/**
 * How this agent calls the other members' REST APIs, as Patroni does: `GET /patroni`
 * during leader races and before a switchover, `POST /failsafe` while the DCS is down.
 * The same client as pgwardenctl's (ctl/rest.ts): basic auth from `ctl.authentication`,
 * else `restapi.authentication`; CA from `ctl.cacert`, else `restapi.cafile`; a client
 * certificate from `ctl.certfile`/`keyfile`. 2 s budget per call, no retry here.
 */
import { failoverLimitation, parsePeerStatus, type Member, type PeerClient } from '@pgwarden/core';
import { restClientFrom } from '../ctl/rest.js';

export const PEER_TIMEOUT_MS = 2000;

export function agentPeerClient(config: Readonly<Record<string, unknown>>): PeerClient {
  const rest = restClientFrom(config);
  return {
    fetchStatus: async (peer, signal) => {
      const res = await rest.request(peer.apiUrl, 'GET', 'patroni', undefined, { signal, timeoutMs: PEER_TIMEOUT_MS });
      // A replica that is not running answers 503 with its status: still an answer.
      if (res.status !== 200 && res.status !== 503) throw new Error(`${peer.apiUrl} answered ${res.status}`);
      return JSON.parse(res.body) as unknown;
    },
    postFailsafe: async (peer, body, signal) => {
      const res = await rest.request(peer.apiUrl, 'POST', 'failsafe', body, { signal, timeoutMs: PEER_TIMEOUT_MS });
      return res.status === 200 && res.body.trim() === 'Accepted';
    },
  };
}

/** Patroni's "good candidate": answers, not nofailover, priority above 0, working watchdog. */
export async function anyHealthyCandidate(peers: PeerClient, members: readonly Member[]): Promise<boolean> {
  const answers = await Promise.all(
    members.map(async (m) => {
      const apiUrl = typeof m.data.api_url === 'string' ? m.data.api_url : '';
      if (!apiUrl) return false;
      try {
        const body = await peers.fetchStatus({ name: m.name, apiUrl }, AbortSignal.timeout(PEER_TIMEOUT_MS));
        const peer = parsePeerStatus(m.name, body);
        return failoverLimitation(peer) === null && peer.failoverPriority > 0;
      } catch {
        return false;
      }
    }),
  );
  return answers.some(Boolean);
}
