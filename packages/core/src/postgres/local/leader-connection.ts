import type { RewindSource } from '../rewind.js';
import { clientSettingsOf } from './client-settings.js';
import type { LocalConnectionTarget } from './connection.js';
import { parseConnUrl } from './conninfo.js';
import type { LocalContext } from './context.js';
import type { RoleCredentials } from './options.js';

/** Which role a connection to another member uses, and where its settings are configured. */
export interface RoleChoice {
  readonly creds: RoleCredentials;
  /** `postgresql.authentication.<role>`, for error messages. */
  readonly key: string;
}

/** The rewind user, else the superuser (Patroni's rewind_credentials). */
export function rewindRole(ctx: LocalContext): RoleChoice {
  const a = ctx.config.authentication;
  return a.rewind ? { creds: a.rewind, key: 'postgresql.authentication.rewind' } : { creds: a.superuser, key: 'postgresql.authentication.superuser' };
}

export function replicationRole(ctx: LocalContext): RoleChoice {
  return { creds: ctx.config.authentication.replication, key: 'postgresql.authentication.replication' };
}

function targetFor(leader: RewindSource, role: RoleChoice): LocalConnectionTarget | null {
  const ep = leader.connUrl ? parseConnUrl(leader.connUrl) : null;
  if (!ep) return null;
  const { creds, key } = role;
  return {
    host: ep.host,
    port: ep.port,
    database: ep.dbname,
    user: creds.username,
    ...(creds.password !== undefined ? { password: creds.password } : {}),
    settings: clientSettingsOf(creds),
    settingsKey: key,
  };
}

/** How to reach the leader as the rewind user (superuser when none is configured), with that role's TLS settings. */
export function rewindTarget(ctx: LocalContext, leader: RewindSource): LocalConnectionTarget | null {
  return targetFor(leader, rewindRole(ctx));
}

/** How to reach the leader over a physical replication connection, with the replication user's TLS settings. */
export function replicationTarget(ctx: LocalContext, leader: RewindSource): LocalConnectionTarget | null {
  return targetFor(leader, replicationRole(ctx));
}

export function rewindUserIsSuperuser(ctx: LocalContext): boolean {
  const a = ctx.config.authentication;
  return !a.rewind || a.rewind.username === a.superuser.username;
}
