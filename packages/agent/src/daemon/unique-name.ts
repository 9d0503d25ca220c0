/**
 * Patroni's ensure_unique_name: before starting, if the DCS already has a member with
 * our name, GET its `api_url` `/liveness`. Any HTTP answer means that agent is alive and
 * this one must not start; a refused connection or timeout means it is gone.
 */
import type { Cluster } from '@pgwarden/core';
import { DaemonStartError } from './errors.js';

export async function ensureUniqueName(cluster: Cluster, name: string, timeoutMs = 2000): Promise<void> {
  const member = cluster.members.find((m) => m.name === name);
  const apiUrl = member && typeof member.data.api_url === 'string' ? member.data.api_url : '';
  if (!apiUrl) return;
  let answered = false;
  try {
    const url = new URL(apiUrl);
    url.pathname = '/liveness';
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    answered = true;
  } catch {
    // Nobody there: the old member key will expire.
  }
  if (answered) throw new DaemonStartError(`Can't start; there is already a node named '${name}' running`);
}
