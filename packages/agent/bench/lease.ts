/**
 * When the dead leader's lease runs out, read from etcd itself so it holds for any agent.
 *
 * Lease expiry is the last successful keepalive plus the granted TTL. Neither agent's
 * keepalive time is visible from outside, but etcd's `LeaseTimeToLive` answers the time
 * left truncated to whole seconds (a lease granted 5 s answers 4 at once): once nobody
 * refreshes it, the answer drops from v to v-1 exactly when v seconds remain. Polling it
 * every ~20 ms after the kill until it drops gives the expiry to within the poll step
 * (both polls' round trips are bracketed). The key's deletion is watched separately: etcd
 * revokes expired leases on its own schedule (a check every 500 ms, then a raft round),
 * so the key disappears a little after the nominal expiry. A survivor watching the key
 * may create it again, under its own lease, before the next poll: the dead leader's key
 * is gone as soon as the key no longer carries that lease.
 */
import { now, sleep } from './clock.js';

async function gateway<T>(host: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`http://${host}/v3/${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The leader key's value and lease ID, or null when there is no leader key. */
export async function leaderKey(host: string, key: string): Promise<{ value: string; lease: string } | null> {
  const doc = await gateway<{ kvs?: { value?: string; lease?: string }[] }>(host, 'kv/range', { key: Buffer.from(key).toString('base64') });
  const kv = doc.kvs?.[0];
  if (!kv) return null;
  return { value: Buffer.from(kv.value ?? '', 'base64').toString(), lease: kv.lease ?? '0' };
}

async function timeToLive(host: string, lease: string): Promise<number> {
  const doc = await gateway<{ TTL?: string }>(host, 'lease/timetolive', { ID: lease });
  return Number(doc.TTL ?? -1);
}

/** The key no longer holds the dead leader's `lease`: deleted, or re-created by a new leader. */
export function keyLeftLease(current: { readonly lease: string } | null, lease: string): boolean {
  return current === null || current.lease !== lease;
}

export interface LeaseEnd {
  /** Nominal expiry (clock.now): the last keepalive plus the granted TTL. */
  readonly expiresAt: number;
  /** When the leader key was first seen gone (clock.now). */
  readonly keyGoneAt: number;
}

/** Call right after the leader's host is killed (nobody refreshes `lease` any more). */
export async function observeLeaseEnd(host: string, key: string, lease: string, timeoutMs: number): Promise<LeaseEnd> {
  const deadline = now() + timeoutMs;
  let expiresAt: number | null = null;
  let prev: { ttl: number; at: number } | null = null;
  while (expiresAt === null && now() < deadline) {
    const sent = now();
    const ttl = await timeToLive(host, lease);
    const answered = now();
    if (ttl < 0) break; // already gone: fall back to the deletion time below
    if (prev && ttl < prev.ttl) {
      // The drop happened between the previous answer's send and this one's answer:
      // take the middle of the two polls.
      expiresAt = (prev.at + (sent + answered) / 2) / 2 + prev.ttl * 1000;
    }
    prev = { ttl, at: (sent + answered) / 2 };
    await sleep(20);
  }
  let keyGoneAt: number | null = null;
  while (keyGoneAt === null && now() < deadline) {
    const sent = now();
    // A failed read says nothing either way: poll again.
    const current = await leaderKey(host, key).then((kv) => kv, () => undefined);
    if (current !== undefined && keyLeftLease(current, lease)) keyGoneAt = (sent + now()) / 2;
    else await sleep(20);
  }
  if (expiresAt === null) throw new Error(`could not time the expiry of lease ${lease} (it vanished before its TTL ticked)`);
  if (keyGoneAt === null) throw new Error(`${key} still carried lease ${lease} ${timeoutMs} ms after the kill`);
  return { expiresAt, keyGoneAt };
}
