/**
 * A throw-away CA, a PostgreSQL server certificate for 127.0.0.1 and client
 * certificates whose CN is a role name (for `hostssl … cert` lines), made with the real
 * `openssl` binary in `dir`. Every file is owned by `owner` (the postgres user when the
 * tests run as root), keys 0600: the server and libpq refuse keys others can read.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PgTlsFiles {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate and key per role name. */
  readonly client: Readonly<Record<string, { readonly cert: string; readonly key: string }>>;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl is not installed: apt-get install -y openssl');
    throw new Error(`openssl ${args.join(' ')}: ${err.stderr?.toString() ?? err.message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makePgTlsFiles(dir: string, roles: readonly string[], owner: { uid: number; gid: number } | null): PgTlsFiles {
  mkdirSync(dir, { mode: 0o755, recursive: true });
  openssl(dir, ['req', '-x509', ...EC, '-days', '2', '-subj', '/CN=pgwarden-e2e-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  const sign = (name: string, subject: string, ext?: string): void => {
    openssl(dir, ['req', ...EC, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', ...(ext ? ['-extfile', ext] : []), '-out', `${name}.crt`]);
  };
  sign('server', '/CN=127.0.0.1', 'server.ext');
  const client: Record<string, { cert: string; key: string }> = {};
  for (const role of roles) {
    sign(role, `/CN=${role}`);
    client[role] = { cert: join(dir, `${role}.crt`), key: join(dir, `${role}.key`) };
  }
  const files = ['ca.crt', 'server.crt', 'server.key', ...roles.flatMap((r) => [`${r}.crt`, `${r}.key`])];
  for (const f of files) {
    const path = join(dir, f);
    chmodSync(path, f.endsWith('.key') ? 0o600 : 0o644);
    if (owner) chownSync(path, owner.uid, owner.gid);
  }
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return { dir, ca: join(dir, 'ca.crt'), serverCert: join(dir, 'server.crt'), serverKey: join(dir, 'server.key'), client };
}
