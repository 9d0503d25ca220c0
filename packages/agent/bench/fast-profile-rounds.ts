/**
 * One host-loss round as a user sees it: the primary's host is lost (agent and
 * postmaster SIGKILLed together), and the figure is the time from the kill to the first
 * write a survivor acknowledges. The lease expiry is read from etcd as well (lease.ts), to
 * split the figure into "waiting for the lock" and "taking over". The killed node is then
 * started again and the cluster waited on until healthy, ready for the next round.
 *
 * A host is lost at any moment of its leader's cycle, so the kill comes at a random point
 * of a loop_wait (killPhaseDelayMs). Without it each round began a fixed time after the
 * cluster turned healthy, a moment tied to the new leader's cycle: every round killed at
 * the same point of the cycle, and the median measured that point, not the profile.
 */
import { SCOPE, type AgentNode, type E2eCluster } from '../test/e2e/cluster.js';
import { now, sleep, until } from './clock.js';
import { waitHealthy } from './health.js';
import { leaderKey, observeLeaseEnd } from './lease.js';
import { startWriters, stopWriters } from './writer.js';

export interface HostLossRound {
  /** Kill → first write acknowledged by a survivor, seconds. */
  readonly writableS: number;
  /** Kill → the dead leader's lease expired, seconds. */
  readonly expiryS: number;
  readonly newPrimary: string;
}

/** How long to wait before the kill, beyond the writers' 500 ms: uniform over one loop_wait. */
export function killPhaseDelayMs(loopWaitS: number, random: () => number = Math.random): number {
  return Math.floor(random() * loopWaitS * 1000);
}

export async function hostLossRound(cluster: E2eCluster, primary: AgentNode, timing: { readonly ttl: number; readonly loopWait: number }): Promise<{ round: HostLossRound; primary: AgentNode }> {
  const ttlS = timing.ttl;
  const host = cluster.etcd.hosts[0]!;
  const key = `/service/${SCOPE}/leader`;
  const held = await leaderKey(host, key);
  if (held?.value !== primary.name) throw new Error(`leader key ${key} is ${JSON.stringify(held)}, expected ${primary.name}`);
  const survivors = cluster.nodes.filter((n) => n !== primary);
  const writers = startWriters(survivors);
  let round: HostLossRound;
  try {
    await sleep(500 + killPhaseDelayMs(timing.loopWait)); // the writers connect to the replicas (which refuse writes) first
    const t0 = now();
    await cluster.killHost(primary);
    const lease = await observeLeaseEnd(host, key, held.lease, (ttlS + 30) * 1000);
    const first = await until(
      'a write acknowledged on a survivor',
      () => writers.map((w) => ({ at: w.firstAckAfter(t0), node: w.node })).filter((x) => x.at !== null).sort((a, b) => a.at! - b.at!)[0],
      (ttlS + 90) * 1000,
      10,
    );
    round = { writableS: (first.at! - t0) / 1000, expiryS: (lease.expiresAt - t0) / 1000, newPrimary: first.node.name };
  } finally {
    await stopWriters(writers);
  }
  await waitHealthy(cluster, 180_000, survivors);
  cluster.start(primary);
  return { round, primary: await waitHealthy(cluster, 240_000) };
}
