import type { RoleChoice } from './leader-connection.js';
import { writeOwnedFile } from './owned-file.js';
import type { RunAs } from './run-as.js';

/** The service name the controller's conninfos refer to. */
export const SERVICE_NAME = 'pgwarden';

/**
 * libpq has no environment variable for sslpassword, and a conninfo on pg_basebackup's or
 * pg_rewind's command line is visible to every local user (ps). So the secret goes into
 * a connection service file (mode 0600, owned by the Postgres user), the conninfo says
 * `service=pgwarden`, and PGSERVICEFILE points at the file — as PGPASSFILE does for
 * passwords. Without an sslpassword nothing is written.
 */
export async function secretSettings(
  role: RoleChoice,
  path: string,
  runAs: RunAs | null,
): Promise<{ fields: Record<string, string>; env: Record<string, string> }> {
  const secret = role.creds.sslpassword;
  if (secret === undefined || secret === '') return { fields: {}, env: {} };
  // A service file value runs to the end of its line.
  if (/[\r\n]/.test(secret)) throw new Error(`${role.key}.sslpassword: must not contain a line break`);
  await writeOwnedFile(path, `[${SERVICE_NAME}]\nsslpassword=${secret}\n`, 0o600, runAs);
  return { fields: { service: SERVICE_NAME }, env: { PGSERVICEFILE: path } };
}
