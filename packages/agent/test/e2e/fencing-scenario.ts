/**
 * Issue #8's proof on real processes, shared by fencing-sigstop.test.ts and
 * fencing-sigkill.test.ts: the primary's `pgwarden` process alone (not its postmaster,
 * not the fence's guard) is frozen for ttl + 15 s, or killed, while a client writes to
 * every node about every 100 ms (writer.ts). Async replication, ttl 20 / loop_wait 1 /
 * retry_timeout 3 (cluster.ts), fence margin 5 s (the default).
 *
 * Must hold: never two writers (overlap 0, no interleaved ack: writer.ts defines both);
 * every acknowledged commit is on the final primary and on the rejoined node; a replica
 * is writable within ttl + 8 s of the stop; the leader key never goes back to the old
 * node; the old node rejoins as a streaming replica; the guard fired, and the agent
 * reported it (fenced_count in GET /patroni, a WARNING line).
 */
import { exited } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eCluster, psql, sleep, waitFor, type AgentNode } from './cluster.js';
import { fenceField, FENCE_WARNING, guardReport, isAlive } from './fence-probes.js';
import { LeaderWatch } from './leader-watch.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { missingOn, monoNow, perNode, twoWriters, Writer } from './writer.js';

/** bootstrap.dcs.ttl in cluster.ts. */
const TTL_S = 20;
const TABLE = 'fence_probe';

export type AgentLoss = 'SIGSTOP' | 'SIGKILL';

export function agentLossScenario(how: AgentLoss): void {
  describe(`fencing e2e: ${how} of the primary's pgwarden process, async replication`, () => {
    let cluster: E2eCluster;
    let oldPrimary: AgentNode;
    let replica: AgentNode;

    beforeAll(async () => {
      cluster = await E2eCluster.create({ label: `fencing-${how.toLowerCase()}`, nodes: 2 });
      for (const n of cluster.nodes) cluster.start(n);
      oldPrimary = await waitForPrimary(cluster);
      replica = cluster.nodes.find((n) => n !== oldPrimary)!;
      await waitForStreaming(cluster, oldPrimary, [replica]);
      await Writer.createTable(oldPrimary, TABLE);
      await waitFor('the table on the replica', () => psql(replica, `SELECT to_regclass('${TABLE}') IS NOT NULL`)[0] === 't', 30_000);
      await waitFor('the fence armed on the primary', async () => (await fenceField(oldPrimary))?.armed === true, 15_000);
    });

    afterAll(async () => {
      await cluster?.close();
    });

    it('the guard stops the old primary before the lock expires: one writer at a time, nothing lost, rejoin', async () => {
      const pm = cluster.postmasterPid(oldPrimary);
      expect(pm, 'the primary postmaster').not.toBeNull();
      expect((await fenceField(oldPrimary))?.fenced_count).toBe(0);
      const writer = new Writer(cluster.nodes, TABLE);
      writer.start();
      await sleep(3000);
      expect(writer.acks.filter((a) => a.node === oldPrimary.name).length, 'acks before the stop').toBeGreaterThan(10);

      const watch = new LeaderWatch(cluster, oldPrimary);
      const agent = oldPrimary.process!;
      const stopAt = monoNow();
      process.kill(agent.pid!, how);
      if (how === 'SIGKILL') await exited(agent);
      // Only the agent: its Postgres still runs (and acknowledges commits) until the guard acts.
      await sleep(1000);
      expect(isAlive(pm), 'the postmaster must survive the agent').toBe(true);

      const fencedAt = await waitFor('the guard to stop the old postmaster', () => (isAlive(pm) ? null : monoNow()), (TTL_S + 10) * 1000, 50);
      const firstNew = await waitFor('a write acknowledged by the replica', () => writer.acks.find((a) => a.node === replica.name && a.at > stopAt), (TTL_S + 20) * 1000, 100).catch(
        (e: Error) => {
          throw new Error(`${e.message}\n${tails(cluster)}`);
        },
      );
      const writableAfterMs = firstNew.at - stopAt;

      let wokeAt: number;
      if (how === 'SIGSTOP') {
        await sleep(Math.max(0, stopAt + (TTL_S + 15) * 1000 - monoNow()));
        wokeAt = monoNow();
        process.kill(agent.pid!, 'SIGCONT');
      } else {
        // The guard fired with no agent to tell: the report file says why.
        expect(guardReport(oldPrimary)).toMatch(/ fired agent-gone .*\n.* signal INT\n.* done fast\n/);
        await sleep(5000);
        wokeAt = monoNow();
        cluster.start(oldPrimary);
      }
      await waitForStreaming(cluster, replica, [oldPrimary], 120_000);
      expect(psql(oldPrimary, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
      const rejoinedAfterMs = monoNow() - wokeAt;
      // A few more seconds of writes on the new timeline, with the old node streaming.
      await sleep(3000);
      await writer.stop();
      await watch.stop();

      const acks = writer.acks;
      const overlap = twoWriters(acks);
      const missing = await missingOn(replica, TABLE, acks);
      await waitFor('every acknowledged commit on the rejoined node', async () => (await missingOn(oldPrimary, TABLE, acks)).length === 0, 30_000);
      const lastOld = Math.max(...acks.filter((a) => a.node === oldPrimary.name).map((a) => a.at));
      const fence = await waitFor('the fence count in GET /patroni', async () => {
        const f = await fenceField(oldPrimary);
        return f && f.fenced_count > 0 ? f : null;
      }, 15_000);
      const warnings = oldPrimary.output.match(FENCE_WARNING) ?? [];
      const figures = {
        scenario: how,
        overlapMs: overlap.overlapMs,
        interleavedAcks: overlap.interleaved,
        lostAcked: missing.length,
        ackedPerNode: perNode(acks),
        lastOldAckAfterStopS: +((lastOld - stopAt) / 1000).toFixed(2),
        postmasterStoppedAfterS: +((fencedAt - stopAt) / 1000).toFixed(2),
        writableAfterS: +(writableAfterMs / 1000).toFixed(2),
        rejoinedAfterS: +(rejoinedAfterMs / 1000).toFixed(2),
        leaderKey: watch.leaders(),
        fencedCount: fence.fenced_count,
        warnings,
      };
      console.log(`fencing ${how}: ${JSON.stringify(figures)}`);

      expect(overlap, tails(cluster)).toEqual({ overlapMs: 0, interleaved: 0, pair: null });
      expect(missing).toEqual([]);
      // The old primary's last commit came before the fence, before the new primary's first.
      expect(lastOld).toBeLessThan(fencedAt);
      expect(lastOld).toBeLessThan(firstNew.at);
      expect(writableAfterMs, tails(cluster)).toBeLessThan((TTL_S + 8) * 1000);
      // Once the replica holds the lock, the old node never has it again.
      const leaders = watch.leaders();
      expect(leaders[0]).toBe(oldPrimary.name);
      expect(leaders).toContain(replica.name);
      expect(leaders.slice(leaders.indexOf(replica.name)), JSON.stringify(watch.samples.slice(-50))).not.toContain(oldPrimary.name);
      expect(leaders[leaders.length - 1]).toBe(replica.name);

      const why = how === 'SIGSTOP' ? 'agent-stopped' : 'agent-gone';
      expect(guardReport(oldPrimary)).toMatch(new RegExp(` fired ${why} .*\\n.* signal INT\\n.* done fast\\n`));
      expect(fence.fenced_count).toBe(1);
      const said =
        how === 'SIGSTOP'
          ? /WARNING: fence: guard stopped Postgres \(fast shutdown\) because the agent is stopped \(SIGSTOP or frozen\)/
          : /WARNING: fence: while no agent was running, the guard stopped Postgres \(fast shutdown\) because the agent is gone/;
      expect(oldPrimary.output, tails(cluster)).toMatch(said);
    }, 300_000);
  });
}
