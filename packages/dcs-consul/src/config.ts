/**
 * The `consul:` section of patroni.yml (spec/dcs.md §4), validated. Every problem names
 * its key, the value (secrets masked) and the fix.
 */
import type { ConfigIssue, SectionParseResult } from '@pgwarden/core';

export interface ConsulSection {
  readonly host: string;
  readonly port: number;
  readonly scheme: 'http' | 'https';
  readonly token?: string;
  readonly verify: boolean;
  readonly cacert?: string;
  readonly cert?: string;
  readonly key?: string;
  /** The agent's datacenter when absent. */
  readonly dc?: string;
  readonly consistency: 'default' | 'consistent' | 'stale';
  /** Check IDs the session is bound to; none = the session dies by TTL alone. */
  readonly checks: readonly string[];
  readonly registerService: boolean;
  readonly serviceTags: readonly string[];
  readonly serviceCheckInterval: string;
  readonly serviceCheckTlsServerName?: string;
}

const DEFAULT_PORT = 8500;
const MASK = '******';

export function parseConsulSection(raw: unknown): SectionParseResult<ConsulSection> {
  const issues: ConfigIssue[] = [];
  const at = (key: string): string => `consul.${key}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: 'consul', value: raw, reason: 'must be a mapping with at least `host` or `url`' }] };
  }
  const s = raw as Record<string, unknown>;
  const str = (key: string, secret = false): string | undefined => {
    const v = s[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    issues.push({ path: at(key), value: secret ? MASK : v, reason: 'must be a string' });
    return undefined;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = s[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v)) return true;
    if (typeof v === 'string' && /^(false|no|off|0)$/i.test(v)) return false;
    issues.push({ path: at(key), value: v, reason: 'must be true or false' });
    return fallback;
  };
  const list = (key: string): string[] => {
    const v = s[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
    issues.push({ path: at(key), value: v, reason: 'must be a list (or a comma-separated string)' });
    return [];
  };

  let scheme = (str('scheme') ?? 'http').toLowerCase();
  let host = '';
  let port = DEFAULT_PORT;
  const url = str('url');
  const hostValue = str('host');
  if (url) {
    try {
      const parsed = new URL(url);
      scheme = parsed.protocol.replace(':', '');
      host = parsed.hostname;
      port = parsed.port ? Number(parsed.port) : DEFAULT_PORT;
    } catch {
      issues.push({ path: at('url'), value: url, reason: 'is not a URL; write it as http://host:8500' });
    }
  } else if (hostValue) {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(hostValue);
    if (!m) issues.push({ path: at('host'), value: hostValue, reason: 'must be host or host:port' });
    else {
      host = m[1]!;
      if (m[2]) port = Number(m[2]);
    }
  } else {
    issues.push({ path: 'consul', reason: 'needs `host` (host:port) or `url`' });
  }
  if (s.port !== undefined) {
    const p = Number(s.port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) issues.push({ path: at('port'), value: s.port, reason: 'must be a port number from 1 to 65535' });
    else if (!url && !/:\d+$/.test(hostValue ?? '')) port = p;
  }
  if (scheme !== 'http' && scheme !== 'https') issues.push({ path: at('scheme'), value: scheme, reason: 'must be http or https' });
  const consistency = str('consistency') ?? 'default';
  if (!['default', 'consistent', 'stale'].includes(consistency)) {
    issues.push({ path: at('consistency'), value: consistency, reason: 'must be default, consistent or stale' });
  }
  const section: ConsulSection = {
    host,
    port,
    scheme: scheme === 'https' ? 'https' : 'http',
    token: str('token', true),
    verify: bool('verify', true),
    cacert: str('cacert') ?? str('ca_cert'),
    cert: str('cert'),
    key: str('key'),
    dc: str('dc'),
    consistency: consistency as ConsulSection['consistency'],
    checks: list('checks'),
    registerService: bool('register_service', false),
    serviceTags: list('service_tags'),
    serviceCheckInterval: str('service_check_interval') ?? '5s',
    serviceCheckTlsServerName: str('service_check_tls_server_name'),
  };
  return issues.length ? { ok: false, issues } : { ok: true, value: section };
}
