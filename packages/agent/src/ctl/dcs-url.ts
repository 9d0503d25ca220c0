/**
 * `--dcs-url` / `DCS_URL`: `scheme://host:port/namespace`, as patronictl reads it. No
 * scheme: guessed from the port (2379 etcd, 8500 consul, 2181 zookeeper, 6379 redis), else etcd.
 * pgwarden speaks only the etcd v3 API, so `etcd://` selects the etcd3 adapter.
 */
import { CtlError } from './errors.js';

const SCHEME_BY_PORT: Readonly<Record<string, string>> = { '2379': 'etcd3', '8500': 'consul', '2181': 'zookeeper', '6379': 'redis' };
const DEFAULT_PORT: Readonly<Record<string, number>> = { etcd3: 2379, consul: 8500, zookeeper: 2181, redis: 6379 };
const SECTION_OF: Readonly<Record<string, string>> = { etcd: 'etcd3', etcd3: 'etcd3', consul: 'consul', zookeeper: 'zookeeper', redis: 'redis' };

export interface DcsUrl {
  /** patroni.yml section name (`etcd3`, `consul`, `zookeeper`, `redis`). */
  readonly section: string;
  /** The section's content, as patroni.yml would hold it. */
  readonly value: Record<string, unknown>;
  readonly namespace?: string;
}

export function parseDcsUrl(text: string): DcsUrl {
  let rest = text;
  let scheme: string | undefined;
  const m = /^([a-z0-9]+):\/\//i.exec(text);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = text.slice(m[0].length);
  }
  const slash = rest.indexOf('/');
  const hostPort = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '';
  const pm = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
  const host = pm?.[1] || 'localhost';
  const port = pm?.[2];
  let section: string | undefined;
  if (scheme) {
    section = SECTION_OF[scheme];
    if (!section) throw new CtlError(`Unknown dcs scheme: ${scheme}`);
  } else {
    section = (port && SCHEME_BY_PORT[port]) || 'etcd3';
  }
  const address = `${host}:${port ?? DEFAULT_PORT[section]}`;
  const value: Record<string, unknown> =
    section === 'consul' ? { host: address } : section === 'zookeeper' ? { hosts: [address] } : { hosts: address };
  const namespace = path && path !== '/' ? path : undefined;
  return { section, value, ...(namespace !== undefined && { namespace }) };
}
