import { clientSettingsOf } from './client-settings.js';
import type { LocalConnectionTarget } from './connection.js';
import { withClient } from './connection.js';
import { parseHostPort } from './conninfo.js';
import type { LocalContext } from './context.js';

/** A wildcard listen address is reached through loopback. */
function reachable(host: string): string {
  if (host === '*' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/**
 * Where the replication user reaches this Postgres: its Unix socket first, then its
 * first listen address over TCP (pg_hba often allows replication on only one of them).
 */
function localReplicationTargets(ctx: LocalContext): LocalConnectionTarget[] {
  const creds = ctx.config.authentication.replication;
  const as = {
    user: creds.username,
    ...(creds.password !== undefined ? { password: creds.password } : {}),
    settingsKey: 'postgresql.authentication.replication',
  };
  const { hosts, port } = parseHostPort(ctx.config.listen);
  const tcp = hosts[0] ? [{ ...as, host: reachable(hosts[0]), port, settings: clientSettingsOf(creds) }] : [];
  return [{ ...as, host: ctx.local.host, port: ctx.local.port }, ...tcp];
}

/**
 * The timeline a running standby replays, as its own walsender reports it
 * (IDENTIFY_SYSTEM on a standby answers with the replay timeline) — what Patroni reads
 * when no WAL receiver runs. null when no replication connection is allowed locally.
 */
export async function standbyTimeline(ctx: LocalContext, timeoutMs: number): Promise<number | null> {
  for (const target of localReplicationTargets(ctx)) {
    try {
      const tli = await withClient(target, { replication: true, connectTimeoutMs: Math.min(3000, timeoutMs) }, async (client) => {
        const r = await client.query<{ timeline: string }>('IDENTIFY_SYSTEM');
        return Number(r.rows[0]?.timeline ?? 0);
      });
      if (tli > 0) return tli;
    } catch {
      // not allowed or not reachable this way: try the next
    }
  }
  return null;
}
