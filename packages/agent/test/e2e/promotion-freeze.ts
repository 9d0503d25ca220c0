/**
 * A new primary's agent frozen (SIGSTOP) at an instant of its promotion, for ttl + 15 s,
 * while a client writes to every node about every 100 ms (writer.ts). Three nodes on etcd,
 * async replication, ttl 20 / loop_wait 1 / retry_timeout 3, fence margin 5 s.
 *
 * The old primary's host is lost (agent and postmaster SIGKILLed); a replica wins the
 * lock and promotes; its agent is frozen:
 * - `lock-won`: the moment the etcd leader key names it (promotion not yet visible);
 * - `left-recovery`: the first instant its Postgres answers pg_is_in_recovery() = false.
 *
 * Must hold: the lease guard was armed on the winner before its Postgres could accept a
 * write, so it stops that postmaster before the lock can expire (frozen at lock-won, the
 * promotion may already be under way, so the winner may become writable while frozen); the third node is
 * promoted only after; never two writers; every acknowledged commit is on the final
 * primary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { E2eCluster, SCOPE, SUPERUSER, sleep, waitFor, type AgentNode } from './cluster.js';
import { guardReport, isAlive } from './fence-probes.js';
import { etcdGet } from './requests.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { missingOn, monoNow, perNode, twoWriters, Writer } from './writer.js';

/** bootstrap.dcs.ttl in cluster.ts. */
const TTL_S = 20;
const TABLE = 'promotion_freeze';

export type FreezeInstant = 'lock-won' | 'left-recovery';

/** Resolves with the replica whose Postgres first leaves recovery, polled every 10 ms on a kept session each. */
async function firstOutOfRecovery(replicas: readonly AgentNode[], timeoutMs: number): Promise<AgentNode> {
  const clients = await Promise.all(
    replicas.map(async (n) => {
      const c = new pg.Client({ host: '127.0.0.1', port: n.pgPort, user: SUPERUSER.username, password: SUPERUSER.password, database: 'postgres', query_timeout: 1000 });
      c.on('error', () => undefined);
      await c.connect();
      return { n, c };
    }),
  );
  try {
    const deadline = monoNow() + timeoutMs;
    while (monoNow() < deadline) {
      for (const { n, c } of clients) {
        const r = await c.query('SELECT pg_is_in_recovery() AS r').catch(() => null);
        if (r && r.rows[0]?.r === false) return n;
      }
      await sleep(10);
    }
    throw new Error(`no replica left recovery within ${timeoutMs} ms`);
  } finally {
    await Promise.all(clients.map(({ c }) => c.end().catch(() => undefined)));
  }
}

async function firstLockHolder(cluster: E2eCluster, among: readonly AgentNode[], timeoutMs: number): Promise<AgentNode> {
  return waitFor(
    'a replica to take the leader key',
    async () => {
      const leader = await etcdGet(cluster.etcd.hosts, `/service/${SCOPE}/leader`).catch(() => null);
      return among.find((n) => n.name === leader) ?? null;
    },
    timeoutMs,
    20,
  );
}

export function promotionFreezeScenario(instant: FreezeInstant): void {
  describe(`a new primary's agent frozen at ${instant}: the lease guard covers it from its first instant`, () => {
    let cluster: E2eCluster;
    let oldPrimary: AgentNode;

    beforeAll(async () => {
      cluster = await E2eCluster.create({ label: `promotion-freeze-${instant}`, nodes: 3 });
      for (const n of cluster.nodes) cluster.start(n);
      oldPrimary = await waitForPrimary(cluster);
      await waitForStreaming(cluster, oldPrimary, cluster.nodes.filter((n) => n !== oldPrimary));
      await Writer.createTable(oldPrimary, TABLE);
      for (const n of cluster.nodes) {
        await waitFor(`the table on ${n.name}`, async () => (await missingOn(n, TABLE, [])).length === 0, 30_000);
      }
    });

    afterAll(async () => {
      await cluster?.close();
    });

    it('never two writers, nothing acknowledged lost, the frozen winner fenced before its lock expires', async () => {
      const replicas = cluster.nodes.filter((n) => n !== oldPrimary);
      const writer = new Writer(cluster.nodes, TABLE);
      writer.start();
      await sleep(3000);
      const killedAt = monoNow();
      await cluster.killHost(oldPrimary);

      const winner = instant === 'lock-won' ? await firstLockHolder(cluster, replicas, (TTL_S + 20) * 1000) : await firstOutOfRecovery(replicas, (TTL_S + 20) * 1000);
      const agent = winner.process!;
      process.kill(agent.pid!, 'SIGSTOP');
      const frozenAt = monoNow();
      const pm = cluster.postmasterPid(winner);
      const third = replicas.find((n) => n !== winner)!;
      // Watched from the freeze on: frozen at lock-won, the winner may already have asked
      // Postgres to promote, so it can become writable while frozen; then the guard must stop it.
      const guard: { fencedAt: number | null } = { fencedAt: null };
      const watchGuard = setInterval(() => {
        if (guard.fencedAt === null && pm !== null && !isAlive(pm)) guard.fencedAt = monoNow();
      }, 50);
      try {
        const thirdWrites = await waitFor('a write acknowledged by the third node', () => writer.acks.find((a) => a.node === third.name && a.at > frozenAt), (TTL_S + 25) * 1000, 100).catch(
          (e: Error) => {
            throw new Error(`${e.message}\n${tails(cluster)}`);
          },
        );
        await sleep(Math.max(0, frozenAt + (TTL_S + 15) * 1000 - monoNow()));
        clearInterval(watchGuard);
        process.kill(agent.pid!, 'SIGCONT');
        await waitForStreaming(cluster, third, [winner], 120_000);
        await sleep(2000);
        await writer.stop();

        const acks = writer.acks;
        const overlap = twoWriters(acks.filter((a) => a.at > killedAt));
        const missing = await missingOn(third, TABLE, acks);
        const fencedAt = guard.fencedAt;
        const winnerAcks = acks.filter((a) => a.node === winner.name);
        const figures = {
          instant,
          winner: winner.name,
          frozenAfterKillS: +((frozenAt - killedAt) / 1000).toFixed(2),
          winnerAcksWhileFrozen: winnerAcks.filter((a) => a.at > frozenAt).length,
          fencedAfterFreezeS: fencedAt === null ? null : +((fencedAt - frozenAt) / 1000).toFixed(2),
          thirdWritableAfterFreezeS: +((thirdWrites.at - frozenAt) / 1000).toFixed(2),
          overlapMs: overlap.overlapMs,
          interleaved: overlap.interleaved,
          lostAcked: missing.length,
          ackedPerNode: perNode(acks),
        };
        console.log(`promotion freeze: ${JSON.stringify(figures)}`);
        expect(overlap, tails(cluster)).toEqual({ overlapMs: 0, interleaved: 0, pair: null });
        expect(missing).toEqual([]);
        // A winner that accepted any write (or was frozen after leaving recovery) must have
        // been stopped by its guard before the lock could expire and before the third wrote.
        if (instant === 'left-recovery' || winnerAcks.some((a) => a.at > killedAt)) {
          if (fencedAt === null) throw new Error(`the frozen winner accepted writes but its postmaster was never stopped\n${tails(cluster)}`);
          expect(fencedAt - frozenAt).toBeLessThan(TTL_S * 1000);
          expect(fencedAt).toBeLessThan(thirdWrites.at);
          expect(guardReport(winner)).toMatch(/ fired agent-stopped /);
        }
      } finally {
        clearInterval(watchGuard);
        if (agent.pid) {
          try {
            process.kill(agent.pid, 'SIGCONT');
          } catch {
            // already gone
          }
        }
      }
    }, 300_000);
  });
}
