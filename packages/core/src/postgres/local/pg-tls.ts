import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { LibpqClientSettings } from './client-settings.js';

/**
 * A role's libpq settings (sslmode, sslcert…) → what node-pg needs for the sessions the
 * controller opens itself (rewind-source check, divergence check), so they negotiate as
 * libpq would for pg_rewind and the WAL receiver with the same settings.
 *
 * `attempts` are tried in order, like libpq's sslmode=prefer (TLS, then plain) and allow
 * (plain, then TLS); `false` means a plain connection.
 */
export interface NodePgTls {
  readonly attempts: readonly (false | ConnectionOptions)[];
  readonly enableChannelBinding: boolean;
}

const MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

function read(label: string, key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw Object.assign(new Error(`${label}.${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): make it readable by the agent and the Postgres user, or remove the setting`), { code: 'EACCES', cause: e });
  }
}

/**
 * `label` names the settings in errors (`postgresql.authentication.rewind`). Files are
 * read synchronously: they are small and only read when a TCP session opens (rare — the
 * monitoring session uses the Unix socket).
 */
export function nodePgTls(settings: LibpqClientSettings | undefined, host: string, label: string): NodePgTls {
  const s = settings ?? {};
  // libpq never negotiates TLS or GSS over a Unix socket; the role's settings do not apply there.
  if (host.startsWith('/')) return { attempts: [false], enableChannelBinding: false };
  const mode = s.sslmode ?? 'prefer';
  if (!MODES.includes(mode)) throw new Error(`${label}.sslmode: '${mode}' is not one of ${MODES.join(', ')}`);
  if (s.gssencmode === 'require') {
    throw new Error(`${label}.gssencmode: 'require' cannot be honoured by pgwarden's own sessions (node-pg has no GSSAPI encryption); use sslmode instead, or 'prefer'`);
  }
  const channelBinding = s.channel_binding ?? 'prefer';
  if (mode === 'disable') {
    if (channelBinding === 'require') throw new Error(`${label}.channel_binding: 'require' needs TLS, but sslmode is 'disable'`);
    return { attempts: [false], enableChannelBinding: false };
  }
  const tls: ConnectionOptions = {};
  if (s.sslcert) tls.cert = read(label, 'sslcert', s.sslcert);
  if (s.sslkey) tls.key = read(label, 'sslkey', s.sslkey);
  if (s.sslpassword) tls.passphrase = s.sslpassword;
  if (s.sslcrl) tls.crl = read(label, 'sslcrl', s.sslcrl);
  if (s.sslcrldir) {
    const dir = s.sslcrldir;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new Error(`${label}.sslcrldir: cannot read ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
    tls.crl = [...(tls.crl ? [tls.crl as Buffer] : []), ...names.map((n) => read(label, 'sslcrldir', join(dir, n)))];
  }
  // libpq: with a root certificate present, require behaves like verify-ca.
  const verify = mode === 'verify-full' || mode === 'verify-ca' || (mode === 'require' && s.sslrootcert !== undefined);
  if (verify) {
    // Without sslrootcert Node's default trust store is used (libpq would use ~/.postgresql/root.crt).
    if (s.sslrootcert) tls.ca = read(label, 'sslrootcert', s.sslrootcert);
    tls.rejectUnauthorized = true;
    if (mode !== 'verify-full') tls.checkServerIdentity = () => undefined;
  } else {
    tls.rejectUnauthorized = false;
  }
  const attempts = mode === 'prefer' ? [tls, false as const] : mode === 'allow' ? [false as const, tls] : [tls];
  return { attempts, enableChannelBinding: channelBinding !== 'disable' };
}

/**
 * Whether a failed attempt may be followed by the next one (libpq's prefer/allow): the
 * server refused TLS, or pg_hba had no line for this kind of connection.
 */
export function mayTryNextAttempt(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === '28000' || e?.code === '28P01') return true;
  return typeof e?.message === 'string' && e.message.includes('does not support SSL');
}
