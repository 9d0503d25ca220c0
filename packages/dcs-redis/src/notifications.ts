/**
 * Keyspace events for expired and evicted keys (`notify-keyspace-events` with `E`, `x`,
 * `e`). They are off by default in Redis, and the setting lives on the server, not in
 * the connection, so it is checked on every connection: after a Sentinel failover the
 * new master may not have it. Flags someone else set are kept; only missing ones are
 * added.
 */
import type { Redis } from 'ioredis';

const TIMEOUT_MS = 2000;

/** The flags to set so keyevent notifications cover expiries and evictions, or null if `flags` already do. */
export function withExpiryEvents(flags: string): string | null {
  const all = flags.includes('A');
  let wanted = flags;
  if (!flags.includes('E')) wanted += 'E';
  if (!all && !flags.includes('x')) wanted += 'x';
  if (!all && !flags.includes('e')) wanted += 'e';
  return wanted === flags ? null : wanted;
}

/**
 * True when the server now sends expiry events; false, with the server's reason, when
 * it refused (CONFIG disabled or not permitted to our ACL user).
 */
export async function enableExpiryEvents(client: Redis): Promise<{ on: true } | { on: false; reason: string }> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref();
  });
  try {
    const reply = (await Promise.race([client.config('GET', 'notify-keyspace-events'), timeout])) as unknown;
    const flags = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '';
    const wanted = withExpiryEvents(flags);
    if (wanted !== null) await Promise.race([client.config('SET', 'notify-keyspace-events', wanted), timeout]);
    return { on: true };
  } catch (error) {
    return { on: false, reason: (error as Error).message };
  }
}
