/**
 * The chaos network: a bridge in the root namespace and one network namespace per node,
 * joined to it by a veth pair. Everything lives on one private /24 that exists only on
 * this machine. Names carry a prefix so that leftovers of a crashed run are found and
 * removed at the next start, and nothing else is touched.
 *
 *   root ns: bridge <prefix>br  .1 (etcd and latency proxies listen here)
 *                               .2 (source address of the replication proxies)
 *   <prefix>-n<i>: eth0         .(10+i) (the agent, its Postgres and its REST API)
 */
import { readdirSync } from 'node:fs';
import { run, runQuietly } from './shell.js';

export interface ChaosNetwork {
  readonly prefix: string;
  readonly subnet: string;
  /** Root-namespace address the proxies listen on. */
  readonly hostAddress: string;
  /** Root-namespace address the replication proxies dial from (a partition drops it). */
  readonly proxySourceAddress: string;
  readonly namespaces: readonly string[];
  readonly addresses: readonly string[];
  /** The host side of each node's veth (link down = the node is cut off entirely). */
  readonly hostLinks: readonly string[];
}

export function networkFor(netId: number, nodes: number): ChaosNetwork {
  if (!Number.isInteger(netId) || netId < 1 || netId > 254) throw new Error(`--net-id must be an integer in 1..254, got ${netId}`);
  const prefix = `pgwc${netId}`;
  const subnet = `10.213.${netId}`;
  const idx = Array.from({ length: nodes }, (_, i) => i + 1);
  return {
    prefix,
    subnet,
    hostAddress: `${subnet}.1`,
    proxySourceAddress: `${subnet}.2`,
    namespaces: idx.map((i) => `${prefix}-n${i}`),
    addresses: idx.map((i) => `${subnet}.${10 + i}`),
    hostLinks: idx.map((i) => `${prefix}n${i}h`),
  };
}

/** Removes every namespace and link of this prefix, from this run or a crashed one. */
export function removeNetwork(net: ChaosNetwork): void {
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    /* no namespaces at all */
  }
  for (const ns of names.filter((n) => n.startsWith(`${net.prefix}-`))) runQuietly('ip', ['netns', 'del', ns]);
  const links = run('ip', ['-o', 'link', 'show']).split('\n');
  for (const line of links) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name?.startsWith(net.prefix)) runQuietly('ip', ['link', 'del', name]);
  }
}

export function createNetwork(net: ChaosNetwork): void {
  removeNetwork(net);
  const bridge = `${net.prefix}br`;
  run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${net.hostAddress}/24`, 'dev', bridge]);
  run('ip', ['addr', 'add', `${net.proxySourceAddress}/24`, 'dev', bridge]);
  run('ip', ['link', 'set', bridge, 'up']);
  net.namespaces.forEach((ns, i) => {
    const hostSide = net.hostLinks[i]!;
    const nsSide = `${net.prefix}n${i + 1}p`;
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    run('ip', ['link', 'set', nsSide, 'netns', ns]);
    run('ip', ['link', 'set', hostSide, 'master', bridge, 'up']);
    const inNs = (...args: string[]): string => run('ip', ['-n', ns, ...args]);
    inNs('link', 'set', nsSide, 'name', 'eth0');
    inNs('addr', 'add', `${net.addresses[i]}/24`, 'dev', 'eth0');
    inNs('link', 'set', 'eth0', 'up');
    inNs('link', 'set', 'lo', 'up');
  });
}

export function setLink(net: ChaosNetwork, node: number, up: boolean): void {
  run('ip', ['link', 'set', net.hostLinks[node]!, up ? 'up' : 'down']);
}
