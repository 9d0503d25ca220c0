/**
 * Which configuration keys hold secrets. Their values never appear in a ConfigIssue,
 * a log line or `--validate-config` output; they show as {@link SECRET_MASK}.
 */
export const SECRET_MASK = '******';

/** Exact key names that are secrets wherever they appear. */
const SECRET_KEYS = new Set([
  'password',
  'keyfile_password',
  'key_password',
  'sslpassword',
  'token',
  // restapi.auth / ctl.auth are "user:password" strings built from `authentication`.
  'auth',
  // ZooKeeper's {scheme: credential} pairs.
  'auth_data',
]);

/** True when a key of this name holds a secret (`password`, `keyfile_password`, `token`, …). */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase();
  return SECRET_KEYS.has(name) || name.endsWith('_password') || name.endsWith('_token');
}

/** The last key of a dotted path (`etcd3.hosts[1]` → `hosts`). */
export function lastPathKey(path: string): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]$/, '');
}

/** True when the dotted path names a secret or sits inside one (`etcd3.auth_data.digest`). */
export function isSecretPath(path: string): boolean {
  return path
    .split('.')
    .map((part) => part.replace(/\[\d+\]$/, ''))
    .some(isSecretKey);
}

/** A URL or libpq string with its password replaced (`postgres://u:******@h`, `password=******`). */
export function maskSecretsInText(text: string): string {
  return text
    .replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, `$1${SECRET_MASK}@`)
    .replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, `$1${SECRET_MASK}`);
}
