/**
 * The lost-host scenario, shared by failover*.test.ts (one file per DCS): the primary's
 * agent and its postmaster are SIGKILLed together. A replica must become a writable
 * primary within ttl plus a few seconds; the old node, started again, rejoins as a
 * replica of the new timeline (pg_rewind) keeping every replicated row and none of the
 * rows only it had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patroni } from './api.js';
import { E2eCluster, psql, waitFor, type AgentNode } from './cluster.js';
import type { DcsKind } from './dcs.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

/** bootstrap.dcs.ttl in cluster.ts. */
const TTL_S = 20;

/** Registers the scenario's describe block; `label` names the kept logs' directory. */
export function lostHostScenario(dcs: DcsKind, label = `failover-${dcs}`): void {
  describe(`pgwarden e2e on ${dcs}: kill -9 of the primary host, failover and rejoin`, () => {
    let cluster: E2eCluster;
    let oldPrimary: AgentNode;
    let newPrimary: AgentNode;

    beforeAll(async () => {
      cluster = await E2eCluster.create({ label, nodes: 3, dcs });
      for (const n of cluster.nodes) cluster.start(n);
      oldPrimary = await waitForPrimary(cluster);
      await waitForStreaming(cluster, oldPrimary, cluster.nodes.filter((n) => n !== oldPrimary));
    });

    afterAll(async () => {
      await cluster?.close();
    });

    it('a replica becomes writable within ttl + a few seconds', async () => {
      const replicas = cluster.nodes.filter((n) => n !== oldPrimary);
      psql(oldPrimary, 'CREATE TABLE e2e_rows(id int primary key, origin text)');
      psql(oldPrimary, "INSERT INTO e2e_rows SELECT g, 'before' FROM generate_series(1, 100) g");
      for (const r of replicas) await waitFor(`rows on ${r.name}`, () => psql(r, 'SELECT count(*) FROM e2e_rows')[0] === '100', 30_000);

      // Freeze the WAL senders, then commit locally: this row exists only on the old primary,
      // so its timeline diverges from whatever the new primary writes.
      const senders = psql(oldPrimary, 'SELECT pid FROM pg_stat_replication').map(Number);
      expect(senders).toHaveLength(2);
      for (const pid of senders) process.kill(pid, 'SIGSTOP');
      psql(oldPrimary, "SET synchronous_commit = local; INSERT INTO e2e_rows SELECT g, 'divergent' FROM generate_series(1001, 1010) g");

      const killedAt = Date.now();
      await cluster.killHost(oldPrimary);
      // Backends are not in the postmaster's process group (Postgres puts each in its own
      // session), and frozen ones cannot notice it died: they go with the host too.
      for (const pid of senders) process.kill(pid, 'SIGKILL');
      newPrimary = await waitForPrimary(cluster, replicas, (TTL_S + 20) * 1000);
      const seconds = (Date.now() - killedAt) / 1000;
      expect(seconds, tails(cluster)).toBeLessThan(TTL_S + 10);
      expect(psql(newPrimary, 'SELECT count(*) FROM e2e_rows')).toEqual(['100']);
      psql(newPrimary, "INSERT INTO e2e_rows SELECT g, 'after' FROM generate_series(101, 150) g");
      const other = replicas.find((n) => n !== newPrimary)!;
      await waitForStreaming(cluster, newPrimary, [other]);
    });

    it('the killed node rejoins with every replicated row and no divergent one', async () => {
      cluster.start(oldPrimary);
      await waitForStreaming(cluster, newPrimary, cluster.nodes.filter((n) => n !== newPrimary), 120_000);
      await waitFor('the rejoined node caught up', () => psql(oldPrimary, 'SELECT count(*) FROM e2e_rows')[0] === '150', 30_000);
      expect(psql(oldPrimary, "SELECT count(*) FROM e2e_rows WHERE origin = 'divergent'")).toEqual(['0']);
      expect(psql(oldPrimary, 'SELECT min(id), max(id) FROM e2e_rows')).toEqual(['1\t150']);
      expect(psql(oldPrimary, 'SELECT pg_is_in_recovery()')).toEqual(['t']);
      const [mine, theirs] = await Promise.all([patroni(oldPrimary), patroni(newPrimary)]);
      expect(mine?.timeline).toBe(theirs?.timeline);
      expect(oldPrimary.output, tails(cluster)).toMatch(/pg_rewind|rewind/i);
    });
  });
}
