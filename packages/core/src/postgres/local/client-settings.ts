/**
 * The libpq client settings a role may carry in `postgresql.authentication.<role>`
 * (Patroni's _AUTH_ALLOWED_PARAMETERS minus username and password). Patroni passes them
 * to every connection made as that role; so does pgwarden (docs/postgres-controller.md).
 */
export interface LibpqClientSettings {
  readonly sslmode?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  /** A secret: never on a command line (see service-file.ts). */
  readonly sslpassword?: string;
  readonly sslrootcert?: string;
  readonly sslcrl?: string;
  readonly sslcrldir?: string;
  readonly gssencmode?: string;
  readonly channel_binding?: string;
}

/** The settings that may appear in a conninfo on a command line (everything but sslpassword). */
export const PUBLIC_CLIENT_KEYS = [
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'gssencmode',
  'channel_binding',
] as const satisfies readonly (keyof LibpqClientSettings)[];

/** Settings that name a file (or a directory) the Postgres user must be able to read. */
export const FILE_CLIENT_KEYS = ['sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'sslcrldir'] as const satisfies readonly (keyof LibpqClientSettings)[];

/** The role's non-secret settings, as conninfo fields (unset ones left out). */
export function publicClientSettings(settings: LibpqClientSettings | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!settings) return out;
  for (const key of PUBLIC_CLIENT_KEYS) {
    const value = settings[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** Only the libpq settings of a role (credentials dropped), for connection targets. */
export function clientSettingsOf(role: LibpqClientSettings): LibpqClientSettings {
  const out: Record<string, string> = publicClientSettings(role);
  if (role.sslpassword !== undefined && role.sslpassword !== '') out['sslpassword'] = role.sslpassword;
  return out;
}

export function hasClientSettings(settings: LibpqClientSettings | undefined): boolean {
  return Object.keys(clientSettingsOf(settings ?? {})).length > 0;
}
