/**
 * `host:port` values as Patroni splits them: on the last `:`, IPv6 hosts in brackets,
 * and for `postgresql.listen` several hosts before one port (`10.0.0.1,127.0.0.1:5432`).
 */
import type { ConfigChecker } from '@pgwarden/core';
import type { HostPort } from '../local-config.js';

/** Hosts a connect_address must not name: other nodes could not reach us there. */
const NOT_REACHABLE_FROM_PEERS = ['127.0.0.1', '0.0.0.0', '*', '::1', 'localhost'];

type Split = { ok: true; hosts: string[]; port: number } | { ok: false; reason: string };

function split(text: string, example: string): Split {
  const cut = text.lastIndexOf(':');
  if (cut < 0) return { ok: false, reason: `expected <HOST>:<PORT>, e.g. ${example}` };
  const portText = text.slice(cut + 1).trim();
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, reason: `the port must be a number between 1 and 65535, e.g. ${example}` };
  }
  const hosts = text
    .slice(0, cut)
    .split(',')
    .map((h) => h.trim().replace(/^\[(.*)\]$/, '$1'));
  return { ok: true, hosts, port };
}

/** A single `host:port` (the host may be empty or `*` only when `listen`). */
export function checkHostPort(
  checker: ConfigChecker,
  path: string,
  value: unknown,
  options: { listen?: boolean; example: string },
): HostPort | undefined {
  const text = checker.string(path, value, {});
  if (text === undefined) return undefined;
  const parsed = split(text, options.example);
  if (!parsed.ok) {
    checker.issue(path, value, parsed.reason);
    return undefined;
  }
  const [host = ''] = parsed.hosts;
  if (parsed.hosts.length > 1) {
    checker.issue(path, value, `names several hosts; give one <HOST>:<PORT>, e.g. ${options.example}`);
    return undefined;
  }
  if (!options.listen && (host === '' || host === '*')) {
    checker.issue(path, value, `needs a host other nodes can reach, e.g. ${options.example}`);
    return undefined;
  }
  return { host, port: parsed.port };
}

/** `postgresql.listen`: `h1,h2:port`, or `*:port` alone. */
export function checkListenHosts(checker: ConfigChecker, path: string, value: unknown): { hosts: string[]; port: number } | undefined {
  const text = checker.string(path, value);
  if (text === undefined) return undefined;
  const parsed = split(text, '0.0.0.0:5432');
  if (!parsed.ok) {
    checker.issue(path, value, parsed.reason);
    return undefined;
  }
  if (parsed.hosts.includes('*') && parsed.hosts.length > 1) {
    checker.issue(path, value, "expecting '*' alone; listen on every address with *:<PORT> or list the hosts");
    return undefined;
  }
  if (parsed.hosts.some((h) => h === '')) {
    checker.issue(path, value, 'has an empty host; write e.g. 0.0.0.0:5432 or 10.0.0.1,127.0.0.1:5432');
    return undefined;
  }
  return { hosts: parsed.hosts, port: parsed.port };
}

/**
 * Patroni's --validate-config refuses a connect_address on a loopback or wildcard host
 * (peers would connect to themselves). A normal start accepts it, which single-host test
 * clusters rely on; so this check runs in full mode only.
 */
export function checkReachableFromPeers(checker: ConfigChecker, path: string, address: HostPort | undefined, value: unknown): void {
  if (address && NOT_REACHABLE_FROM_PEERS.includes(address.host)) {
    checker.issue(path, value, `must not contain "127.0.0.1", "0.0.0.0", "*", "::1", "localhost"; use an address other nodes can reach`);
  }
}
