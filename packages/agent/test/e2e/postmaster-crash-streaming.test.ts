/**
 * The primary's postmaster alone is SIGKILLed: its agent restarts it in place, and both
 * replicas, whose WAL streams broke with it, must stream from it again soon after. A
 * standby waits `wal_retrieve_retry_interval` before it reconnects (Postgres's default
 * is 5 s; pgwarden writes 1 s unless the configuration sets it), so the deadline below
 * fails with Postgres's default and passes with pgwarden's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eCluster, psql, type AgentNode } from './cluster.js';
import { startStreaming, tails, waitForStreaming } from './wait.js';

/**
 * Kill → both replicas streaming again. Postgres's 5 s retry interval alone misses it;
 * pgwarden's 1 s leaves 3 s of tolerance for the in-place restart and a loaded machine.
 */
const STREAMING_AGAIN_WITHIN_S = 4;

describe('pgwarden e2e: the primary postmaster crashes, the replicas stream again within seconds', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let replicas: AgentNode[];

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'postmaster-crash-streaming', nodes: 3 });
    ({ primary, replicas } = await startStreaming(cluster));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('each replica runs with pgwarden’s wal_retrieve_retry_interval', () => {
    for (const r of replicas) expect(psql(r, 'SHOW wal_retrieve_retry_interval'), r.name).toEqual(['1s']);
  });

  it('both replicas stream from the restarted primary well within Postgres’s 5 s retry interval', async () => {
    const pid = cluster.postmasterPid(primary);
    if (!pid) throw new Error(`no postmaster.pid in ${primary.dataDir}`);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // The primary's pg_stat_replication is read over a new connection each time, so a
    // match can only come from walsenders of the restarted postmaster.
    await waitForStreaming(cluster, primary, replicas, 60_000);
    const seconds = (Date.now() - killedAt) / 1000;
    expect(cluster.postmasterPid(primary)).not.toBe(pid);
    expect(seconds, `streaming again after ${seconds.toFixed(2)} s\n${tails(cluster)}`).toBeLessThan(STREAMING_AGAIN_WITHIN_S);
  });
});
