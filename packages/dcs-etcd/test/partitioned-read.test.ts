/**
 * A cached read against an etcd member cut off from its cluster (the other two members
 * stopped: it is alive, keeps its watch stream open and answers local requests, but has
 * no raft leader). A read is served from the copy for at most half a TTL after the last
 * proof; the next proof is the lease keepalive, which only a raft leader can grant, so
 * the read turns `unavailable` instead of serving a copy nobody updates. A progress
 * request, which the member answers on its own, would not have noticed.
 */
import { Dcs, type MemberData } from '@pgwarden/core';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Etcd3Dcs } from '../src/index.js';
import { createAdapter } from './support/etcd-target.js';

const MEMBER: MemberData = { state: 'running', role: 'replica', xlog_location: 1, timeline: 1 };

let etcd: EtcdCluster;
let adapter: Etcd3Dcs | undefined;
beforeAll(async () => {
  etcd = await startEtcd({ members: 3 });
});
afterAll(async () => {
  adapter?.abandon();
  await etcd?.close();
});

it('a member without a raft leader: the cached read becomes unavailable within half a TTL and retry_timeout', async () => {
  const lone = etcd.members[0]!;
  // Only the member that will be cut off: no other endpoint to fail over to.
  adapter = await createAdapter({ hosts: [lone.clientUrl.replace('http://', '')], protocol: 'http' }, { scope: 'cut-off', name: 'b' });
  const dcs = new Dcs({ adapter, timing: { ttl: 10, loopWait: 1, retryTimeout: 3 } });
  expect((await dcs.touchMember(MEMBER)).kind).toBe('written');
  // The copy is built and serves our member key.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcome = await dcs.loadCluster();
    if (outcome.kind === 'loaded' && outcome.cluster.members.some((m) => m.name === 'b')) break;
    if (Date.now() > deadline) throw new Error(`the cached read never showed member b: ${JSON.stringify(outcome)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  for (const member of etcd.members.slice(1)) await member.stop();
  // etcd's CheckQuorum makes a leader without a quorum step down within an election
  // timeout (1 s here); a follower's renewal waits for a leader that does not come. The
  // bound: the copy's proof may be up to ttl/2 = 5 s old, then the keepalive that would
  // renew it fails within retry_timeout = 3 s; 1 s for the leader to step down, 2 s of
  // slack for the polling and the machine.
  const cutOffBy = Date.now() + 5_000 + 3_000 + 1_000 + 2_000;
  let last = '';
  for (;;) {
    const started = Date.now();
    const outcome = await dcs.loadCluster();
    expect(Date.now() - started, 'a read stays within retry_timeout').toBeLessThan(3_000 + 1_000);
    last = outcome.kind;
    if (outcome.kind === 'unavailable') break;
    if (Date.now() > cutOffBy) throw new Error(`still '${last}' 11 s after the member lost its peers`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(last).toBe('unavailable');
  for (const member of etcd.members.slice(1)) await member.start();
}, 60_000);
