/**
 * A plain-HTTP peer client for embedders: `GET <api_url>` for a member's status and
 * `POST /failsafe` on the same host, as Patroni calls them (the path replaces the
 * `/patroni` of the member's api_url). The agent uses its own client, which adds TLS
 * client certificates and a private CA.
 */
import type { PeerClient } from './peer-client.js';
import type { PeerAddress } from './ports.js';

export interface HttpPeerClientOptions {
  /** Extra request headers, e.g. `Authorization` for a REST API with basic auth. */
  readonly headers?: Readonly<Record<string, string>>;
}

function endpoint(peer: PeerAddress, path: string): URL {
  const url = new URL(peer.apiUrl);
  url.pathname = `/${path}`;
  url.search = '';
  return url;
}

export function httpPeerClient(options: HttpPeerClientOptions = {}): PeerClient {
  const headers = options.headers ?? {};
  return {
    fetchStatus: async (peer, signal) => {
      const res = await fetch(peer.apiUrl, { headers, signal });
      // A replica whose Postgres is down answers 503 with its status: still an answer.
      if (!res.ok && res.status !== 503) throw new Error(`${peer.apiUrl} answered ${res.status}`);
      return (await res.json()) as unknown;
    },
    postFailsafe: async (peer, body, signal) => {
      const res = await fetch(endpoint(peer, 'failsafe'), {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      return res.status === 200 && (await res.text()).trim() === 'Accepted';
    },
  };
}
