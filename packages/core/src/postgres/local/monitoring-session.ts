import type pg from 'pg';

/**
 * What the monitoring query need not ask again on the same session. A session lives and
 * dies with its postmaster (a restart, even after a crash, ends it), so the server
 * version and the postmaster's start time hold for as long as the session does.
 */
export interface SessionFacts {
  readonly serverVersion: number;
  /** pg_postmaster_start_time as epoch ms. */
  readonly postmasterStartedAt: number;
  /**
   * The session saw this server out of recovery with its last checkpoint on its current
   * timeline. A primary's timeline only changes at the end of recovery, so this stays
   * true until the session ends; a replica never sets it.
   */
  checkpointOnTimeline: boolean;
}

const facts = new WeakMap<pg.Client, SessionFacts>();

const FACTS_QUERY = `SELECT current_setting('server_version_num')::int AS server_version,
  (extract(epoch FROM pg_postmaster_start_time()) * 1000)::float8 AS postmaster_start`;

/** The session's facts: asked once, on the session's first monitoring query. */
export async function sessionFacts(client: pg.Client): Promise<SessionFacts> {
  const known = facts.get(client);
  if (known) return known;
  const row = (await client.query<{ server_version: number; postmaster_start: number }>(FACTS_QUERY)).rows[0];
  const fresh: SessionFacts = {
    serverVersion: Number(row?.server_version ?? 0),
    postmasterStartedAt: Number(row?.postmaster_start ?? 0),
    checkpointOnTimeline: false,
  };
  facts.set(client, fresh);
  return fresh;
}
