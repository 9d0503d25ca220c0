import type { RewindSource } from '../rewind.js';
import type { LocalConnectionTarget } from './connection.js';
import { parseConnUrl } from './conninfo.js';
import type { LocalContext } from './context.js';

/** How to reach the leader as the rewind user (superuser when none is configured). */
export function rewindTarget(ctx: LocalContext, leader: RewindSource): LocalConnectionTarget | null {
  const ep = leader.connUrl ? parseConnUrl(leader.connUrl) : null;
  if (!ep) return null;
  const creds = ctx.config.authentication.rewind ?? ctx.config.authentication.superuser;
  return { host: ep.host, port: ep.port, database: ep.dbname, user: creds.username, ...(creds.password !== undefined ? { password: creds.password } : {}) };
}

/** How to reach the leader over a physical replication connection. */
export function replicationTarget(ctx: LocalContext, leader: RewindSource): LocalConnectionTarget | null {
  const ep = leader.connUrl ? parseConnUrl(leader.connUrl) : null;
  if (!ep) return null;
  const creds = ctx.config.authentication.replication;
  return { host: ep.host, port: ep.port, database: ep.dbname, user: creds.username, ...(creds.password !== undefined ? { password: creds.password } : {}) };
}

export function rewindUserIsSuperuser(ctx: LocalContext): boolean {
  const a = ctx.config.authentication;
  return !a.rewind || a.rewind.username === a.superuser.username;
}
