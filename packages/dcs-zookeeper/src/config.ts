/**
 * The `zookeeper:` section of patroni.yml (spec/dcs.md §4), validated into what the
 * adapter uses. Every problem is reported at once as a ConfigIssue naming the key;
 * secrets (key_password, auth_data credentials) never appear in a message.
 */
import type { ConfigIssue, SectionParseResult } from '@pgwarden/core';

export type ZooKeeperPermission = 'CREATE' | 'READ' | 'WRITE' | 'DELETE' | 'ADMIN' | 'ALL';

export interface ZooKeeperAclEntry {
  /** `x509` for Patroni's bare principals; `digest`, `ip`, `world`, `sasl`, `auth` when written `scheme:id`. */
  readonly scheme: string;
  readonly id: string;
  readonly permissions: readonly ZooKeeperPermission[];
}

export interface ZooKeeperAuth {
  readonly scheme: string;
  readonly credential: string;
}

export interface ZooKeeperSection {
  /** `host:port` of each server (port 2181 when it was left out). */
  readonly hosts: readonly string[];
  /** A chroot written after the host list (`h1:2181,h2:2181/app`), or null. */
  readonly chroot: string | null;
  /** Certificate settings are accepted for patroni.yml compatibility; without TLS they are unused. */
  readonly cacert: string | null;
  readonly cert: string | null;
  readonly key: string | null;
  readonly keyPassword: string | null;
  readonly verify: boolean;
  /** The ACL every znode we create gets; null = `world:anyone` with all permissions. */
  readonly acls: readonly ZooKeeperAclEntry[] | null;
  /** Sent with `addauth` on every connection, in order. */
  readonly authData: readonly ZooKeeperAuth[];
}

export const DEFAULT_ZOOKEEPER_PORT = 2181;
const MASK = '******';
const PERMISSIONS: readonly ZooKeeperPermission[] = ['CREATE', 'READ', 'WRITE', 'DELETE', 'ADMIN', 'ALL'];
/** Schemes a `set_acls` principal may name explicitly; anything else is a bare x509 principal, as in Patroni. */
const EXPLICIT_SCHEMES = ['world', 'auth', 'digest', 'ip', 'sasl', 'x509'];

export function parseZooKeeperSection(raw: unknown): SectionParseResult<ZooKeeperSection> {
  const issues: ConfigIssue[] = [];
  if (!isRecord(raw)) {
    return { ok: false, issues: [{ path: 'zookeeper', value: raw, reason: 'must be a mapping with at least `hosts`' }] };
  }

  const { hosts, chroot } = parseHosts(raw.hosts, issues);

  const useSsl = parseBool(raw.use_ssl, 'zookeeper.use_ssl', false, issues);
  if (useSsl) {
    issues.push({
      path: 'zookeeper.use_ssl',
      value: raw.use_ssl,
      reason:
        'TLS is not supported: the pinned ZooKeeper client (node-zookeeper-client 1.1.3) cannot speak TLS. ' +
        'Set use_ssl to false and reach ZooKeeper over a trusted network or a local TLS tunnel (stunnel, a sidecar)',
    });
  }

  const section: ZooKeeperSection = {
    hosts,
    chroot,
    cacert: optionalString(raw.cacert, 'zookeeper.cacert', issues, false),
    cert: optionalString(raw.cert, 'zookeeper.cert', issues, false),
    key: optionalString(raw.key, 'zookeeper.key', issues, false),
    keyPassword: optionalString(raw.key_password, 'zookeeper.key_password', issues, true),
    verify: parseBool(raw.verify, 'zookeeper.verify', true, issues),
    acls: raw.set_acls === undefined || raw.set_acls === null ? null : parseAcls(raw.set_acls, issues),
    authData: raw.auth_data === undefined || raw.auth_data === null ? [] : parseAuthData(raw.auth_data, issues),
  };
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: section };
}

function parseHosts(value: unknown, issues: ConfigIssue[]): { hosts: string[]; chroot: string | null } {
  const path = 'zookeeper.hosts';
  let joined: string;
  if (typeof value === 'string') joined = value;
  else if (Array.isArray(value) && value.every((h) => typeof h === 'string')) joined = value.join(',');
  else {
    issues.push({ path, value, reason: 'is required: a list of host:port, or one comma-separated string (e.g. "zk1:2181,zk2:2181")' });
    return { hosts: [], chroot: null };
  }
  // As in ZooKeeper connect strings, a chroot follows the last host: `h1:2181,h2:2181/app`.
  const slash = joined.indexOf('/');
  const chroot = slash === -1 ? null : joined.slice(slash).replace(/\/+$/, '') || null;
  const list = (slash === -1 ? joined : joined.slice(0, slash))
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  if (list.length === 0) {
    issues.push({ path, value, reason: 'names no server: give at least one host:port' });
    return { hosts: [], chroot };
  }
  if (chroot !== null && !/^(\/[^/\s]+)+$/.test(chroot)) {
    issues.push({ path, value, reason: `has an invalid chroot "${chroot}": it must be a path like /app` });
  }
  const hosts: string[] = [];
  for (const entry of list) {
    const match = /^([^:\s[\]]+)(?::(\d+))?$/.exec(entry);
    if (!match) {
      const reason = entry.includes('[') || entry.split(':').length > 2
        ? `"${entry}": IPv6 literals are not supported by the client; use a host name`
        : `"${entry}" is not host or host:port`;
      issues.push({ path, value, reason });
      continue;
    }
    const port = match[2] === undefined ? DEFAULT_ZOOKEEPER_PORT : Number(match[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      issues.push({ path, value, reason: `"${entry}" has port ${match[2]}, outside 1–65535` });
      continue;
    }
    hosts.push(`${match[1]}:${port}`);
  }
  return { hosts, chroot };
}

function parseAcls(value: unknown, issues: ConfigIssue[]): ZooKeeperAclEntry[] {
  const path = 'zookeeper.set_acls';
  if (!isRecord(value)) {
    issues.push({ path, value, reason: 'must map a principal to a list of permissions, e.g. {"digest:user:hash": ["ALL"]}' });
    return [];
  }
  const acls: ZooKeeperAclEntry[] = [];
  for (const [principal, rawPermissions] of Object.entries(value)) {
    const where = `${path}.${principal}`;
    const colon = principal.indexOf(':');
    const named = colon > 0 ? principal.slice(0, colon).toLowerCase() : '';
    const scheme = EXPLICIT_SCHEMES.includes(named) ? named : 'x509';
    const id = scheme === 'x509' && named !== 'x509' ? principal : principal.slice(colon + 1);
    if (scheme === 'x509') {
      // x509 ids are proven by a TLS client certificate; without TLS we would create
      // znodes we cannot read back ourselves.
      issues.push({
        path: where,
        value: rawPermissions,
        reason:
          'x509 ACLs need a TLS client certificate, which this client cannot present (no TLS support); ' +
          'write the principal with its scheme instead, e.g. "digest:user:base64hash" or "world:anyone"',
      });
      continue;
    }
    const list = typeof rawPermissions === 'string' ? rawPermissions.split(',') : rawPermissions;
    if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === 'string')) {
      issues.push({ path: where, value: rawPermissions, reason: `must be a non-empty list of ${PERMISSIONS.join(', ')}` });
      continue;
    }
    const permissions: ZooKeeperPermission[] = [];
    for (const p of list as string[]) {
      const upper = p.trim().toUpperCase() as ZooKeeperPermission;
      if (PERMISSIONS.includes(upper)) permissions.push(upper);
      else issues.push({ path: where, value: p, reason: `is not a permission; use ${PERMISSIONS.join(', ')}` });
    }
    acls.push({ scheme, id, permissions });
  }
  return acls;
}

function parseAuthData(value: unknown, issues: ConfigIssue[]): ZooKeeperAuth[] {
  const path = 'zookeeper.auth_data';
  // patroni.yml gives a mapping {scheme: credential}; a list of [scheme, credential] pairs is also accepted.
  const pairs: unknown[] = isRecord(value) ? Object.entries(value) : Array.isArray(value) ? value : [];
  if (!isRecord(value) && !Array.isArray(value)) {
    issues.push({ path, value: MASK, reason: 'must map a scheme to its credential, e.g. {digest: "user:password"}' });
    return [];
  }
  const auth: ZooKeeperAuth[] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !pair[0] || typeof pair[1] !== 'string') {
      issues.push({ path, value: MASK, reason: 'each entry needs a scheme and a credential string, e.g. digest: "user:password"' });
      continue;
    }
    auth.push({ scheme: pair[0], credential: pair[1] });
  }
  return auth;
}

function optionalString(value: unknown, path: string, issues: ConfigIssue[], secret: boolean): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  issues.push({ path, value: secret ? MASK : value, reason: 'must be a string' });
  return null;
}

/** Lenient like Patroni: YAML booleans, and the strings environment variables give. */
function parseBool(value: unknown, path: string, fallback: boolean, issues: ConfigIssue[]): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['true', 'on', 'yes', '1', 'y'].includes(v)) return true;
    if (['false', 'off', 'no', '0', 'n'].includes(v)) return false;
  }
  issues.push({ path, value, reason: 'must be true or false' });
  return fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
