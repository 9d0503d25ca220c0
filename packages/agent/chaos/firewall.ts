/**
 * Partitions as nftables drop rules inside a node's namespace: one table per node,
 * replaced whole on every change, so healing is deleting it. Drops (not rejects): a
 * partitioned peer sees silence and must rely on its deadlines.
 */
import { run, runQuietly } from './shell.js';

export interface DropRules {
  /** Addresses the node may neither reach nor hear from. */
  readonly peers: readonly string[];
  /** Root-namespace TCP ports (etcd and replication proxies) the node may not reach. */
  readonly hostPorts: readonly number[];
  readonly hostAddress: string;
  /** Sources whose connections into the node are dropped (the replication proxies' address). */
  readonly inboundSources: readonly string[];
}

const TABLE = 'pgwarden_chaos';

export function applyDropRules(namespace: string, rules: DropRules): void {
  const set = (items: readonly (string | number)[]): string => `{ ${items.join(', ')} }`;
  const out: string[] = [];
  const inbound: string[] = [];
  if (rules.peers.length) {
    out.push(`ip daddr ${set(rules.peers)} drop`);
    inbound.push(`ip saddr ${set(rules.peers)} drop`);
  }
  if (rules.hostPorts.length) {
    out.push(`ip daddr ${rules.hostAddress} tcp dport ${set(rules.hostPorts)} drop`);
    inbound.push(`ip saddr ${rules.hostAddress} tcp sport ${set(rules.hostPorts)} drop`);
  }
  if (rules.inboundSources.length) inbound.push(`ip saddr ${set(rules.inboundSources)} drop`);
  clearDropRules(namespace);
  const chain = (name: string, hook: string, rules: readonly string[]): string =>
    [`  chain ${name} {`, `    type filter hook ${hook} priority 0; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'].join('\n');
  const script = [`table inet ${TABLE} {`, chain('out', 'output', out), chain('in', 'input', inbound), '}', ''].join('\n');
  run('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], script);
}

export function clearDropRules(namespace: string): void {
  runQuietly('ip', ['netns', 'exec', namespace, 'nft', 'delete', 'table', 'inet', TABLE]);
}
