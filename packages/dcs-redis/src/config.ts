/**
 * The `redis:` section of patroni.yml. Either one Redis server (`hosts`) or a Sentinel
 * group (`sentinels` + `sentinel_master`); credentials, database number and TLS as the
 * etcd3 section names them. Problems come back as ConfigIssues that name the key and the
 * fix; passwords are never echoed.
 */
import type { ConfigIssue, SectionParseResult } from '@pgwarden/core';

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface RedisTls {
  /** CA bundle that signed the server's certificate; the system CAs when absent. */
  readonly cacert?: string;
  /** Client certificate, for servers that ask for one. */
  readonly cert?: string;
  /** Client key, when not inside `cert`. */
  readonly key?: string;
  /** false skips checking the server's certificate (testing only). */
  readonly verify: boolean;
}

export type RedisTopology =
  | { readonly kind: 'standalone'; readonly host: RedisEndpoint }
  | { readonly kind: 'sentinel'; readonly sentinels: readonly RedisEndpoint[]; readonly master: string };

export interface RedisSection {
  readonly topology: RedisTopology;
  readonly username?: string;
  readonly password?: string;
  /** Database number (SELECT); 0 by default. */
  readonly db: number;
  /** Present when the connection uses TLS. */
  readonly tls?: RedisTls;
}

const SECTION = 'redis';
const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;
const MASK = '******';
const KNOWN = new Set(['hosts', 'host', 'sentinels', 'sentinel_master', 'username', 'password', 'db', 'tls', 'cacert', 'ca_cert', 'cert', 'key', 'verify']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `host[:port]` (IPv6 in brackets) → endpoint, or a reason it is not one. */
export function parseEndpoint(text: string, defaultPort: number): { ok: true; value: RedisEndpoint } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: `empty host; write host:port, e.g. 127.0.0.1:${defaultPort}` };
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    return { ok: false, reason: `write host:port without a scheme, e.g. 127.0.0.1:${defaultPort}; set redis.tls: true for TLS` };
  }
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s/[\]]+))(?::(\d+))?$/.exec(trimmed);
  if (!match) return { ok: false, reason: `not a host:port pair, e.g. 127.0.0.1:${defaultPort}` };
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: 'the port must be between 1 and 65535' };
  return { ok: true, value: { host: (match[1] ?? match[2])!, port } };
}

function endpointList(raw: unknown, key: string, defaultPort: number, issues: ConfigIssue[]): RedisEndpoint[] {
  const path = `${SECTION}.${key}`;
  const list = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list)) {
    issues.push({ path, value: raw, reason: `must be a list of host:port or a comma-separated string, e.g. "10.0.0.1:${defaultPort},10.0.0.2:${defaultPort}"` });
    return [];
  }
  if (list.length === 0) issues.push({ path, value: raw, reason: 'lists no server; add host:port entries' });
  const endpoints: RedisEndpoint[] = [];
  list.forEach((item: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== 'string') {
      issues.push({ path: itemPath, value: item, reason: 'must be a host:port string' });
      return;
    }
    const parsed = parseEndpoint(item, defaultPort);
    if (parsed.ok) endpoints.push(parsed.value);
    else issues.push({ path: itemPath, value: item, reason: parsed.reason });
  });
  return endpoints;
}

function optionalString(raw: Record<string, unknown>, key: string, issues: ConfigIssue[], secret = false): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && !secret) return String(value);
  issues.push({ path: `${SECTION}.${key}`, value: secret ? MASK : value, reason: 'must be a string' });
  return undefined;
}

function optionalBoolean(raw: Record<string, unknown>, key: string, issues: ConfigIssue[]): boolean | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  // Environment variables arrive as strings.
  if (value === 'true' || value === 'false') return value === 'true';
  issues.push({ path: `${SECTION}.${key}`, value, reason: 'must be true or false' });
  return undefined;
}

function parseTopology(raw: Record<string, unknown>, issues: ConfigIssue[]): RedisTopology | undefined {
  const hostsRaw = raw.hosts ?? raw.host;
  const hostsKey = raw.hosts !== undefined ? 'hosts' : 'host';
  const hasSentinels = raw.sentinels !== undefined && raw.sentinels !== null;
  if (hostsRaw !== undefined && hasSentinels) {
    issues.push({
      path: `${SECTION}.${hostsKey}`,
      value: hostsRaw,
      reason: 'is set together with redis.sentinels; keep one: hosts for a single Redis server, sentinels + sentinel_master for Sentinel',
    });
    return undefined;
  }
  if (hasSentinels) {
    const sentinels = endpointList(raw.sentinels, 'sentinels', SENTINEL_PORT, issues);
    const master = raw.sentinel_master;
    if (typeof master !== 'string' || !master.trim()) {
      issues.push({
        path: `${SECTION}.sentinel_master`,
        value: master,
        reason: 'must name the master group the sentinels monitor (as in "sentinel monitor <name> …"), e.g. sentinel_master: mymaster',
      });
      return undefined;
    }
    return { kind: 'sentinel', sentinels, master: master.trim() };
  }
  if (raw.sentinel_master !== undefined) {
    issues.push({ path: `${SECTION}.sentinel_master`, value: raw.sentinel_master, reason: 'is set without redis.sentinels; list the sentinels too, or remove it' });
  }
  if (hostsRaw === undefined) {
    issues.push({ path: SECTION, reason: 'needs hosts (one Redis server) or sentinels + sentinel_master, e.g. redis: {hosts: "127.0.0.1:6379"}' });
    return undefined;
  }
  const hosts = endpointList(hostsRaw, hostsKey, REDIS_PORT, issues);
  if (hosts.length > 1) {
    // Two independent servers would be two independent locks: refuse, say what to do.
    issues.push({
      path: `${SECTION}.${hostsKey}`,
      value: hostsRaw,
      reason: `lists ${hosts.length} servers, but independent Redis servers do not share a lock; give one server, or use redis.sentinels + redis.sentinel_master for failover`,
    });
    return undefined;
  }
  return hosts[0] ? { kind: 'standalone', host: hosts[0] } : undefined;
}

function parseTls(raw: Record<string, unknown>, issues: ConfigIssue[]): RedisTls | undefined {
  const enabled = optionalBoolean(raw, 'tls', issues);
  const cacert = optionalString(raw, 'cacert', issues);
  const caCert = optionalString(raw, 'ca_cert', issues);
  if (cacert !== undefined && caCert !== undefined && cacert !== caCert) {
    issues.push({ path: `${SECTION}.ca_cert`, value: caCert, reason: `conflicts with redis.cacert (${cacert}); keep one of them` });
  }
  const cert = optionalString(raw, 'cert', issues);
  const key = optionalString(raw, 'key', issues);
  const verify = optionalBoolean(raw, 'verify', issues);
  if (key !== undefined && cert === undefined) {
    issues.push({ path: `${SECTION}.key`, value: key, reason: 'is set without redis.cert; give the client certificate too' });
  }
  const anyFile = (cacert ?? caCert ?? cert ?? key) !== undefined;
  if (enabled === false && (anyFile || verify !== undefined)) {
    issues.push({ path: `${SECTION}.tls`, value: false, reason: 'is false, but cacert/cert/key/verify are set; remove them or set redis.tls: true' });
    return undefined;
  }
  if (enabled !== true && !anyFile) {
    if (verify !== undefined) issues.push({ path: `${SECTION}.verify`, value: verify, reason: 'applies to TLS only; set redis.tls: true (or redis.cacert) as well' });
    return undefined;
  }
  return {
    verify: verify ?? true,
    ...((cacert ?? caCert) !== undefined && { cacert: cacert ?? caCert }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
  };
}

function parseDb(raw: unknown, issues: ConfigIssue[]): number {
  if (raw === undefined || raw === null) return 0;
  const db = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof db === 'number' && Number.isInteger(db) && db >= 0) return db;
  issues.push({ path: `${SECTION}.db`, value: raw, reason: 'must be a database number (0, 1, …), as in SELECT' });
  return 0;
}

export function parseRedisSection(raw: unknown): SectionParseResult<RedisSection> {
  if (!isRecord(raw)) {
    return {
      ok: false,
      issues: [{ path: SECTION, value: raw === undefined ? undefined : typeof raw, reason: 'must be a mapping, e.g. redis: {hosts: "127.0.0.1:6379"}' }],
    };
  }
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) issues.push({ path: `${SECTION}.${key}`, reason: `is not a redis option; known: ${[...KNOWN].join(', ')}` });
  }
  const topology = parseTopology(raw, issues);
  const username = optionalString(raw, 'username', issues);
  const password = optionalString(raw, 'password', issues, true);
  if (username !== undefined && password === undefined) {
    issues.push({ path: `${SECTION}.username`, value: username, reason: 'is set without redis.password; an ACL user needs its password' });
  }
  const db = parseDb(raw.db, issues);
  const tls = parseTls(raw, issues);
  if (issues.length > 0 || !topology) return { ok: false, issues };
  return {
    ok: true,
    value: {
      topology,
      db,
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
      ...(tls !== undefined && { tls }),
    },
  };
}

/** `host:port` list of what the section points at, for messages. */
export function describeTopology(topology: RedisTopology): string {
  const show = (e: RedisEndpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
  return topology.kind === 'standalone'
    ? show(topology.host)
    : `sentinel master "${topology.master}" via ${topology.sentinels.map(show).join(',')}`;
}
