/**
 * The kit against a three-member etcd whose raft leader is killed half-way: calls made
 * during the re-election settle in time, and the rest of the kit then runs on the two
 * surviving members, with the dead member's endpoint still in every adapter's list.
 */
import { Dcs, type Cluster } from '@pgwarden/core';
import { describeDcsConformance } from '@pgwarden/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ETCD3_CAPABILITIES } from '../src/index.js';
import { createAdapter, etcdConformanceFactory } from './support/etcd-target.js';

const factory = etcdConformanceFactory(3);
afterAll(() => factory.close());

describeDcsConformance('etcd 3.4, three members', factory, ETCD3_CAPABILITIES, { groups: ['layout', 'lock', 'writes'] });

const RETRY_TIMEOUT_S = 3;
const TOLERANCE_MS = 500;

describe('etcd raft leader killed (SIGKILL)', () => {
  it('settles every call issued during the re-election within retry_timeout as success or unavailable', async () => {
    const etcd = await factory.etcd();
    const adapter = await createAdapter(etcd, { scope: `raft-kill-${process.pid}`, name: 'a', ttlSeconds: 10, retryTimeoutSeconds: RETRY_TIMEOUT_S });
    const dcs = new Dcs({ adapter, timing: { ttl: 10, loopWait: 1, retryTimeout: RETRY_TIMEOUT_S } });
    try {
      expect((await dcs.acquireLeader()).kind).toBe('held');
      expect((await dcs.touchMember({ state: 'running', role: 'primary' })).kind).toBe('written');
      const loaded = await dcs.loadCluster({ linearizable: true });
      if (loaded.kind !== 'loaded') throw new Error(loaded.cause.message);
      let cluster: Cluster = loaded.cluster;

      const leader = await etcd.leader();
      const killedAt = performance.now();
      await leader.kill();

      const results: { verb: string; kind: string; elapsed: number }[] = [];
      const timed = async (verb: string, call: () => Promise<{ kind: string }>): Promise<void> => {
        const start = performance.now();
        const outcome = await call();
        results.push({ verb, kind: outcome.kind, elapsed: performance.now() - start });
      };
      // Every 250 ms for 3 s, one HA cycle's worth of calls, without waiting for the last.
      const pending: Promise<void>[] = [];
      while (performance.now() - killedAt < 3000) {
        pending.push(
          timed('loadCluster', async () => {
            const outcome = await dcs.loadCluster();
            if (outcome.kind === 'loaded') cluster = outcome.cluster;
            return outcome;
          }),
          timed('loadCluster linearizable', () => dcs.loadCluster({ linearizable: true })),
          timed('refreshLeader', () => dcs.refreshLeader(cluster)),
          timed('touchMember', () => dcs.touchMember({ state: 'running', role: 'primary', xlog_location: results.length })),
          timed('writeStatus', () => dcs.writeStatus({ lastLsn: results.length, slots: null }, { force: true })),
          timed('writeConfig', () => dcs.writeConfig({ ttl: 10 })),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await Promise.all(pending);

      const allowed: Record<string, string[]> = {
        loadCluster: ['loaded', 'unavailable'],
        'loadCluster linearizable': ['loaded', 'unavailable'],
        // The lease survives an election (the new raft leader extends every lease).
        refreshLeader: ['held', 'unavailable'],
        touchMember: ['written', 'unavailable'],
        writeStatus: ['written', 'unavailable'],
        writeConfig: ['written', 'unavailable'],
      };
      expect(results.length).toBeGreaterThanOrEqual(6 * 10);
      for (const r of results) {
        expect(allowed[r.verb], `${r.verb} answered ${r.kind}`).toContain(r.kind);
        expect(r.elapsed, `${r.verb} took ${Math.round(r.elapsed)} ms`).toBeLessThanOrEqual(RETRY_TIMEOUT_S * 1000 + TOLERANCE_MS);
      }

      // Once a new raft leader is up, the lock is still ours and every verb works.
      const next = await etcd.leader();
      expect(next).not.toBe(leader);
      const after = await dcs.loadCluster({ linearizable: true });
      if (after.kind !== 'loaded') throw new Error(after.cause.message);
      expect(after.cluster.leader?.name).toBe('a');
      expect((await dcs.refreshLeader(after.cluster)).kind).toBe('held');
      expect((await dcs.writeConfig({ ttl: 11 })).kind).toBe('written');
    } finally {
      await dcs.close();
    }
  });
});

// With one member of three dead, every adapter below also has to get past its endpoint.
describeDcsConformance('etcd 3.4, three members after losing one', factory, ETCD3_CAPABILITIES, { groups: ['watch', 'session'] });
