/**
 * `restapi.allowlist` and `allowlist_include_members`: which client addresses may call
 * protected endpoints. Entries with a `/` are networks; others are addresses or host
 * names, resolved once when the server starts (as Patroni resolves them on reload).
 * Member hosts are resolved from the last DCS snapshot on each protected request.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Cluster, Logger } from '@pgwarden/core';

export interface Allowlist {
  /** Null when no allowlist is configured: every address may proceed to the next check. */
  allows(address: string, cluster: Cluster | null): Promise<boolean>;
}

/** `::ffff:10.0.0.1` (a v4 client on a dual-stack socket) is `10.0.0.1`. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

async function resolve(host: string, logger: Logger): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch (cause) {
    logger.error(`Failed to resolve ${host}`, { cause: String(cause) });
    return [];
  }
}

function addAddress(list: BlockList, address: string): void {
  list.addAddress(plainAddress(address), familyOf(plainAddress(address)));
}

export async function buildAllowlist(
  entries: readonly string[] | undefined,
  includeMembers: boolean,
  logger: Logger,
): Promise<Allowlist | null> {
  if (!(entries && entries.length > 0) && !includeMembers) return null;
  const fixed = new BlockList();
  for (const entry of entries ?? []) {
    if (entry.includes('/')) {
      const [net = '', bits = ''] = entry.split('/');
      const prefix = Number(bits);
      if (!isIP(net) || !Number.isInteger(prefix)) {
        logger.error(`Invalid value "${entry}" in the allowlist`);
        continue;
      }
      fixed.addSubnet(net, prefix, familyOf(net));
    } else {
      for (const address of await resolve(entry, logger)) addAddress(fixed, address);
    }
  }
  return {
    async allows(address, cluster) {
      const client = plainAddress(address);
      if (fixed.check(client, familyOf(client))) return true;
      if (!includeMembers || !cluster) return false;
      const members = new BlockList();
      for (const host of memberApiHosts(cluster)) for (const a of await resolve(host, logger)) addAddress(members, a);
      return members.check(client, familyOf(client));
    },
  };
}

function memberApiHosts(cluster: Cluster): string[] {
  const hosts: string[] = [];
  for (const m of cluster.members) {
    if (!m.data.api_url) continue;
    try {
      const host = new URL(m.data.api_url).hostname.replace(/^\[(.*)\]$/, '$1');
      if (host) hosts.push(host);
    } catch {
      // an unparsable api_url grants nothing
    }
  }
  return hosts;
}
