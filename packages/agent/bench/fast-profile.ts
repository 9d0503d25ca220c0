/**
 * The fast failover profile (docs/fast-failover.md) and the per-node settings it needs
 * beyond bootstrap.dcs. The e2e harness writes one patroni.yml per node; the fence margin
 * and, for the soak, the etcd address (a latency proxy) are edited into those files
 * before the agents start, so the harness itself stays as the tests use it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { E2eCluster } from '../test/e2e/cluster.js';
import type { Timing } from './metrics.js';

/** ttl 8, loop_wait 1, retry_timeout 2: loop_wait + 2 × retry_timeout = 5 ≤ ttl. */
export const FAST_PROFILE: Timing = { label: '8/1/2', ttl: 8, loopWait: 1, retryTimeout: 2 };

/**
 * The guard stops Postgres at validUntil − margin. With ttl 8 and loop_wait 1, margin 2
 * leaves a healthy primary 8 − 2 − 1 = 5 s of slack per renewal, and the guard's
 * escalation (fast at −2 s, immediate at −1 s, SIGKILL at −0.5 s) ends before expiry.
 */
export const FAST_FENCE_MARGIN_S = 2;

/** Patroni's defaults, the profile the fast one is compared with. */
export const DEFAULT_PROFILE: Timing = { label: '30/10/10', ttl: 30, loopWait: 10, retryTimeout: 10 };

export interface NodeOverrides {
  /** pgwarden.fence_margin in seconds; also turns pgwarden.fast_failover on (ttl below 20 honoured). */
  readonly fenceMarginS?: number;
  /** Replaces the etcd3 hosts list (e.g. with a latency proxy's address). */
  readonly etcdHosts?: readonly string[];
}

/** Edits every node's patroni.yml; call before the agents start. */
export function applyNodeOverrides(cluster: E2eCluster, overrides: NodeOverrides): void {
  for (const node of cluster.nodes) {
    let yaml = readFileSync(node.configPath, 'utf8');
    if (overrides.fenceMarginS !== undefined) {
      if (!/^pgwarden:\n/m.test(yaml)) throw new Error(`${node.configPath}: no pgwarden: section to add fence_margin to`);
      yaml = yaml.replace(/^pgwarden:\n/m, `pgwarden:\n  fast_failover: on\n  fence_margin: ${overrides.fenceMarginS}\n`);
    }
    if (overrides.etcdHosts) {
      const hosts = /^(etcd3:\n {2}hosts: )\[[^\]\n]*\]$/m;
      if (!hosts.test(yaml)) throw new Error(`${node.configPath}: no etcd3.hosts list to point at ${overrides.etcdHosts.join(', ')}`);
      yaml = yaml.replace(hosts, `$1[${overrides.etcdHosts.join(', ')}]`);
    }
    writeFileSync(node.configPath, yaml);
  }
}
