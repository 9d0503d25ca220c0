import { access, constants, stat } from 'node:fs/promises';
import type { PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import { FILE_CLIENT_KEYS } from './client-settings.js';
import type { RoleChoice } from './leader-connection.js';
import type { RunAs } from './run-as.js';
import { runProgram } from './run-program.js';

/** Can the Postgres user read `path`? As root we ask `test -r` run as that user: permission bits alone miss ACLs and groups. */
async function readableBy(path: string, runAs: RunAs | null): Promise<boolean> {
  if (!runAs) return access(path, constants.R_OK).then(() => true, () => false);
  const r = await runProgram('test', ['-r', path], { runAs, timeoutMs: 5000 });
  return r.code === 0;
}

/**
 * The files a role's libpq settings name (sslcert, sslkey, sslrootcert, sslcrl, sslcrldir)
 * are read by pg_basebackup, pg_rewind and the WAL receiver, which run as the Postgres
 * user. Checked before those run, so the failure names the key instead of surfacing as
 * a TLS error on the other side. The key file must also pass libpq's own permission rule.
 */
export async function checkClientFiles(role: RoleChoice, runAs: RunAs | null): Promise<PgResult> {
  const who = runAs ? `the Postgres user (uid ${runAs.uid})` : 'the user Postgres runs as';
  for (const key of FILE_CLIENT_KEYS) {
    const path = role.creds[key];
    if (!path) continue;
    if (!(await readableBy(path, runAs))) {
      return fail('invalid-config', `${role.key}.${key}: ${path} is missing or not readable by ${who}: give that user read access (chown/chmod), or fix the path`);
    }
    if (key === 'sslkey') {
      const st = await stat(path);
      // libpq: at most 0600 when owned by the user, at most 0640 when owned by root.
      const tooOpen = st.uid === 0 ? (st.mode & 0o037) !== 0 : (st.mode & 0o077) !== 0;
      if (tooOpen) {
        return fail('invalid-config', `${role.key}.sslkey: ${path} has mode ${(st.mode & 0o777).toString(8)}; libpq refuses a key others can read: chmod 600 (or 640 when owned by root)`);
      }
    }
  }
  return ok();
}
