/**
 * Patroni's ensure_unique_name: before starting, if the DCS already has a member with
 * our name, GET its `api_url` `/liveness`. Any HTTP answer means that agent is alive and
 * this one must not start; a refused connection or timeout means it is gone.
 *
 * Through node:http(s) rather than fetch: fetch would load an HTTP client the agent
 * uses nowhere else, and keep it in memory for the agent's life.
 */
import { get as httpGet, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Cluster } from '@pgwarden/core';
import { DaemonStartError } from './errors.js';

/** True when anything answers over HTTP within the deadline. */
function answers(url: URL, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let req: ClientRequest | null = null;
    // `timeout` below is idle time on the socket; this bounds the whole exchange.
    const deadline = setTimeout(() => settle(false), timeoutMs);
    const settle = (answered: boolean): void => {
      clearTimeout(deadline);
      req?.destroy();
      resolve(answered);
    };
    // Any answer counts, so an unverifiable certificate must not hide a live agent.
    const options: RequestOptions & { rejectUnauthorized?: boolean } = { timeout: timeoutMs, rejectUnauthorized: false };
    const onResponse = (res: IncomingMessage): void => {
      res.resume();
      settle(true);
    };
    try {
      req = url.protocol === 'https:' ? httpsGet(url, options, onResponse) : httpGet(url, options, onResponse);
    } catch {
      settle(false);
      return;
    }
    req.on('timeout', () => settle(false));
    req.on('error', () => settle(false));
  });
}

export async function ensureUniqueName(cluster: Cluster, name: string, timeoutMs = 2000): Promise<void> {
  const member = cluster.members.find((m) => m.name === name);
  const apiUrl = member && typeof member.data.api_url === 'string' ? member.data.api_url : '';
  if (!apiUrl) return;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return; // not a URL: nobody can answer there
  }
  url.pathname = '/liveness';
  if (await answers(url, timeoutMs)) throw new DaemonStartError(`Can't start; there is already a node named '${name}' running`);
}
