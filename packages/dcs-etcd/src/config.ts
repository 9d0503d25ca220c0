/**
 * The `etcd3:` section of patroni.yml, as Patroni reads it: `url` wins over `hosts`,
 * which wins over `host`; `hosts` is a list or a comma-separated string; a host without
 * a port gets `port` (default 2379). Problems come back as ConfigIssues that name the
 * key and the fix; passwords are never echoed.
 */
import type { ConfigIssue, SectionParseResult } from '@pgwarden/core';

export interface Etcd3Section {
  /** `host:port` of every endpoint, in the order given. */
  readonly hosts: readonly string[];
  readonly protocol: 'http' | 'https';
  readonly username?: string;
  readonly password?: string;
  /** CA bundle used to verify the server (patroni.yml `cacert`, alias `ca_cert`). */
  readonly cacert?: string;
  /** Client certificate (may also hold the key). */
  readonly cert?: string;
  /** Client key, when not inside `cert`. */
  readonly key?: string;
}

const SECTION = 'etcd3';
const DEFAULT_PORT = 2379;
const MASK = '******';

/** Patroni options pgwarden does not implement; naming them beats silently ignoring them. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  srv: 'DNS SRV discovery is not supported; list the endpoints in etcd3.hosts',
  discovery_srv: 'DNS SRV discovery is not supported; list the endpoints in etcd3.hosts',
  srv_domain: 'DNS SRV discovery is not supported; list the endpoints in etcd3.hosts',
  srv_suffix: 'DNS SRV discovery is not supported; list the endpoints in etcd3.hosts',
  proxy: 'etcd proxies are not supported; list the etcd endpoints in etcd3.hosts',
};

/** The client URLs an adapter connects to, e.g. `http://10.0.0.1:2379`. */
export function endpointUrls(section: Etcd3Section): string[] {
  return section.hosts.map((host) => `${section.protocol}://${host}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `host[:port]` (IPv6 in brackets) → normalised `host:port`, or a reason it is not one. */
function parseHostPort(text: string, defaultPort: number): { ok: true; value: string } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'empty host; write host:port, e.g. 127.0.0.1:2379' };
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    return { ok: false, reason: 'write host:port without a scheme here; set etcd3.protocol: https for TLS' };
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s/[\]]+)(?::(\d+))?$/.exec(trimmed);
  if (!match) return { ok: false, reason: 'not a host:port pair, e.g. 127.0.0.1:2379' };
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: 'the port must be between 1 and 65535' };
  return { ok: true, value: `${match[1]}:${port}` };
}

function optionalString(raw: Record<string, unknown>, key: string, issues: ConfigIssue[], secret = false): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && !secret) return String(value);
  issues.push({ path: `${SECTION}.${key}`, value: secret ? MASK : value, reason: 'must be a string' });
  return undefined;
}

export function parseEtcd3Section(raw: unknown): SectionParseResult<Etcd3Section> {
  const issues: ConfigIssue[] = [];
  if (!isRecord(raw)) {
    return {
      ok: false,
      issues: [{ path: SECTION, value: raw === undefined ? undefined : typeof raw, reason: 'must be a mapping, e.g. etcd3: {hosts: "127.0.0.1:2379"}' }],
    };
  }
  for (const [key, reason] of Object.entries(UNSUPPORTED)) {
    if (raw[key] !== undefined) issues.push({ path: `${SECTION}.${key}`, value: raw[key], reason });
  }

  let defaultPort = DEFAULT_PORT;
  if (raw.port !== undefined) {
    const port = typeof raw.port === 'string' ? Number(raw.port) : raw.port;
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) defaultPort = port;
    else issues.push({ path: `${SECTION}.port`, value: raw.port, reason: 'must be a port number between 1 and 65535' });
  }

  let protocol: 'http' | 'https' = 'http';
  if (raw.protocol !== undefined) {
    if (raw.protocol === 'http' || raw.protocol === 'https') protocol = raw.protocol;
    else issues.push({ path: `${SECTION}.protocol`, value: raw.protocol, reason: 'must be http or https' });
  }

  let username = optionalString(raw, 'username', issues);
  let password = optionalString(raw, 'password', issues, true);
  const hosts: string[] = [];

  if (raw.url !== undefined) {
    const parsed = parseUrl(raw.url);
    if (!parsed.ok) issues.push({ path: `${SECTION}.url`, value: maskUrl(raw.url), reason: parsed.reason });
    else {
      hosts.push(parsed.host);
      protocol = parsed.protocol;
      username ??= parsed.username;
      password ??= parsed.password;
    }
  } else if (raw.hosts !== undefined) {
    const list = typeof raw.hosts === 'string' ? raw.hosts.split(',') : raw.hosts;
    if (!Array.isArray(list)) {
      issues.push({ path: `${SECTION}.hosts`, value: raw.hosts, reason: 'must be a list of host:port or a comma-separated string' });
    } else {
      list.forEach((item: unknown, index) => {
        const path = `${SECTION}.hosts[${index}]`;
        if (typeof item !== 'string') {
          issues.push({ path, value: item, reason: 'must be a host:port string' });
          return;
        }
        const parsed = parseHostPort(item, defaultPort);
        if (parsed.ok) hosts.push(parsed.value);
        else issues.push({ path, value: item, reason: parsed.reason });
      });
      if (list.length === 0) issues.push({ path: `${SECTION}.hosts`, value: raw.hosts, reason: 'lists no endpoint; add host:port entries' });
    }
  } else if (raw.host !== undefined) {
    if (typeof raw.host !== 'string') issues.push({ path: `${SECTION}.host`, value: raw.host, reason: 'must be a host:port string' });
    else {
      const parsed = parseHostPort(raw.host, raw.port === undefined ? DEFAULT_PORT : defaultPort);
      if (parsed.ok) hosts.push(parsed.value);
      else issues.push({ path: `${SECTION}.host`, value: raw.host, reason: parsed.reason });
    }
  } else if (!Object.keys(UNSUPPORTED).some((key) => raw[key] !== undefined)) {
    issues.push({ path: SECTION, reason: 'needs one of hosts, host or url, e.g. etcd3: {hosts: "10.0.0.1:2379,10.0.0.2:2379"}' });
  }

  if (password !== undefined && username === undefined) {
    issues.push({ path: `${SECTION}.password`, value: MASK, reason: 'is set without etcd3.username; set both or neither' });
  }

  const cacert = optionalString(raw, 'cacert', issues);
  const caCert = optionalString(raw, 'ca_cert', issues);
  if (cacert !== undefined && caCert !== undefined && cacert !== caCert) {
    issues.push({ path: `${SECTION}.ca_cert`, value: caCert, reason: `conflicts with etcd3.cacert (${cacert}); keep one of them` });
  }
  const cert = optionalString(raw, 'cert', issues);
  const key = optionalString(raw, 'key', issues);
  if (key !== undefined && cert === undefined) {
    issues.push({ path: `${SECTION}.key`, value: key, reason: 'is set without etcd3.cert; give the client certificate too' });
  }

  if (issues.length > 0) return { ok: false, issues };
  const section: Etcd3Section = {
    hosts,
    protocol,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...((cacert ?? caCert) !== undefined && { cacert: cacert ?? caCert }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
  };
  return { ok: true, value: section };
}

type ParsedUrl =
  | { ok: true; host: string; protocol: 'http' | 'https'; username?: string; password?: string }
  | { ok: false; reason: string };

function parseUrl(value: unknown): ParsedUrl {
  if (typeof value !== 'string') return { ok: false, reason: 'must be a URL string, e.g. http://127.0.0.1:2379' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'is not a URL; write e.g. http://127.0.0.1:2379' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'the scheme must be http or https' };
  if (!url.hostname) return { ok: false, reason: 'names no host' };
  return {
    ok: true,
    host: `${url.hostname}:${url.port || DEFAULT_PORT}`,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
}

/** A URL with its password replaced, for messages. */
function maskUrl(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/(\/\/[^:/@]*:)[^@/]*@/, `$1${MASK}@`);
}
