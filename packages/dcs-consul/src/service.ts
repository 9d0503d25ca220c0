/**
 * `register_service: true` (spec/dcs.md §3.3): the member registers a Consul service
 * whose tags carry its role and whose HTTP check calls its own REST API at `/<role>`,
 * so Consul DNS can answer primary.<scope>.service.consul.
 */
import type { ConsulSection } from './config.js';

export interface MemberFacts {
  readonly state?: string;
  readonly role?: string;
  readonly conn_url?: string;
  readonly api_url?: string;
}

const REGISTERED_ROLES = new Set(['master', 'primary', 'replica', 'standby_leader']);

/** Patroni's service name: lower case, `.`/`_`/space → `-`, anything else → u + code point. */
export function serviceName(scope: string): string {
  let out = '';
  for (const ch of scope.toLowerCase()) {
    if (/[a-z0-9-]/.test(ch)) out += ch;
    else if (ch === '.' || ch === '_' || ch === ' ') out += '-';
    else out += `u${String(ch.codePointAt(0)).padStart(4, '0')}`;
  }
  return out.slice(0, 230);
}

/** The registration for this member's state, or null when it should not be registered. */
export function serviceRegistration(
  facts: MemberFacts,
  options: { scope: string; name: string; ttlSeconds: number; section: ConsulSection },
): Record<string, unknown> | null {
  if (facts.state !== 'running' || !facts.role || !REGISTERED_ROLES.has(facts.role) || !facts.conn_url || !facts.api_url) return null;
  const conn = new URL(facts.conn_url);
  const role = facts.role.replace('_', '-');
  const api = new URL(facts.api_url);
  api.pathname = `/${role}`;
  const tags = [...options.section.serviceTags, role];
  if (facts.role === 'master') tags.push('primary');
  if (facts.role === 'primary') tags.push('master');
  const check: Record<string, unknown> = {
    HTTP: api.toString(),
    Interval: options.section.serviceCheckInterval,
    DeregisterCriticalServiceAfter: `${(options.ttlSeconds / 2) * 10}s`,
  };
  if (options.section.serviceCheckTlsServerName) check.TLSServerName = options.section.serviceCheckTlsServerName;
  // Consul's JSON field names, sent as they are.
  return {
    Name: serviceName(options.scope),
    ID: `${options.scope}/${options.name}`,
    Address: conn.hostname,
    Port: Number(conn.port || 5432),
    Tags: tags,
    EnableTagOverride: true,
    Check: check,
  };
}
