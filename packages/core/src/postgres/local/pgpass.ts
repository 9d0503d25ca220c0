import type { LocalPostgresConfig, RoleCredentials } from './options.js';
import type { RunAs } from './run-as.js';
import { writeOwnedFile } from './owned-file.js';

function escape(field: string): string {
  return field.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

/**
 * The pgpass file (mode 0600, owned by the Postgres user): libpq tools and the WAL
 * receiver read passwords from it, so none ever appears in a command line, a
 * primary_conninfo or a log line.
 */
export async function writePgpass(path: string, roles: readonly RoleCredentials[], runAs: RunAs | null): Promise<void> {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of roles) {
    if (r.password === undefined || seen.has(r.username)) continue;
    seen.add(r.username);
    lines.push(`*:*:*:${escape(r.username)}:${escape(r.password)}`);
  }
  await writeOwnedFile(path, lines.join('\n') + '\n', 0o600, runAs);
}

/**
 * Every role the tools connect as: the WAL receiver and pg_basebackup (replication),
 * pg_rewind (rewind, else superuser). One file serves them all, so a pgpass written by
 * another agent (Patroni keeps only the role of its last tool there) never leaves a
 * tool without its password.
 */
export function pgpassRoles(auth: LocalPostgresConfig['authentication']): RoleCredentials[] {
  return [auth.replication, auth.superuser, ...(auth.rewind ? [auth.rewind] : [])];
}
