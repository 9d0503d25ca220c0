/**
 * Standby clusters on real etcd and PostgreSQL 15: a DR cluster (scope `dr`, 3 nodes)
 * replicates from the main cluster (scope `main`, 3 nodes) on the same etcd, through a
 * TCP forwarder that stands in for the VIP pointing at main's primary. The DR lock holder
 * is a standby leader (read-only); it fails over inside DR; DR keeps following main
 * across main's own failover; `promote-cluster` makes DR writable with every row main
 * acknowledged; `demote-cluster` turns the old main into a standby cluster of DR.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { E2eCluster, psql, waitFor, type AgentNode } from './cluster.js';
import { runCtl } from '../ctl/support/run-ctl.js';
import { TcpForwarder } from './tcp-forwarder.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';
import { Writer, missingOn } from './writer.js';

const TABLE = 'dr_rows';
/** The Writer's own table: its ids start at 1 and would collide with TABLE's. */
const ACKS = 'dr_acks';

describe('pgwarden e2e: standby cluster (disaster recovery)', () => {
  let main: E2eCluster;
  let dr: E2eCluster;
  let forwarder: TcpForwarder;
  /** Where the forwarder sends new connections: main's primary. */
  let mainPrimary: AgentNode;
  let drLeader: AgentNode;
  let drAlive: AgentNode[];
  let mainAlive: AgentNode[];
  let drCtl: string;
  let mainCtl: string;
  let writer: Writer | null = null;

  const both = (): string => `${tails(main)}\n${tails(dr)}`;
  const count = (n: AgentNode): number => Number(psql(n, `SELECT count(*) FROM ${TABLE}`)[0]);
  /** pgwardenctl with a cluster's ctl config; its commands wait up to loop_wait + 30 s. */
  const ctl = async (config: string, ...args: string[]) => {
    const r = await runCtl(['-c', config, ...args], { timeoutMs: 90_000 });
    return { code: r.code, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
  };

  /** A running standby leader holding the lock: its role says so, and so does `/standby-leader` (200 only with the lock). */
  async function waitForStandbyLeader(nodes: readonly AgentNode[], timeoutMs = 90_000): Promise<AgentNode> {
    return waitFor(
      `a standby leader holding the lock among ${nodes.map((n) => n.name).join(', ')}`,
      async () => {
        for (const n of nodes) {
          const s = await patroni(n);
          if (s?.role === 'standby_leader' && s.state === 'running' && (await api(n, '/standby-leader')).status === 200) return n;
        }
        return null;
      },
      timeoutMs,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${both()}`);
    });
  }

  async function waitForRows(nodes: readonly AgentNode[], rows: number, timeoutMs = 60_000): Promise<void> {
    for (const n of nodes) {
      await waitFor(`${rows} rows on ${n.name}`, () => count(n) === rows, timeoutMs).catch((e: Error) => {
        throw new Error(`${e.message}\n${both()}`);
      });
    }
  }

  function refusesWrites(n: AgentNode): boolean {
    try {
      psql(n, `INSERT INTO ${TABLE} (id, node) VALUES (-1, 'must-fail')`);
      return false;
    } catch (e) {
      return /read-only transaction/.test(String(e));
    }
  }

  beforeAll(async () => {
    main = await E2eCluster.create({ label: 'standby-main', nodes: 3, scope: 'main' });
    for (const n of main.nodes) main.start(n);
    mainPrimary = await waitForPrimary(main);
    mainAlive = [...main.nodes];
    await waitForStreaming(main, mainPrimary, main.nodes.filter((n) => n !== mainPrimary));
    await Writer.createTable(mainPrimary, TABLE);
    await Writer.createTable(mainPrimary, ACKS);
    forwarder = await TcpForwarder.start(() => mainPrimary.pgPort);
    dr = await E2eCluster.create({
      label: 'standby-dr',
      nodes: 3,
      scope: 'dr',
      namePrefix: 'dr',
      sharedDcs: main.dcs,
      bootstrapDcsYaml: `    standby_cluster:\n      host: 127.0.0.1\n      port: ${forwarder.port}\n`,
    });
    drAlive = [...dr.nodes];
    drCtl = join(dr.root, 'ctl.yml');
    writeFileSync(drCtl, `scope: dr\nnamespace: /service\n${main.dcs.yaml}`);
    mainCtl = join(main.root, 'ctl.yml');
    writeFileSync(mainCtl, `scope: main\nnamespace: /service\n${main.dcs.yaml}`);
  }, 180_000);

  afterAll(async () => {
    await writer?.stop();
    // DR first: it runs on main's etcd.
    await dr?.close();
    await forwarder?.close();
    await main?.close();
  });

  it('bootstraps a standby leader from main; every DR node is read-only and gets main rows', async () => {
    psql(mainPrimary, `INSERT INTO ${TABLE} (id, node) SELECT g, 'main' FROM generate_series(1, 100) g`);
    for (const n of dr.nodes) dr.start(n);
    drLeader = await waitForStandbyLeader(dr.nodes);
    expect((await api(drLeader, '/standby-leader')).status).toBe(200);
    expect((await api(drLeader, '/standby_leader')).status).toBe(200);
    expect((await api(drLeader, '/primary')).status).toBe(503);
    const metrics = (await api(drLeader, '/metrics')).text;
    expect(metrics).toMatch(/patroni_standby_leader\{[^}]*\} 1/);
    await waitForRows(dr.nodes, 100);
    for (const n of dr.nodes) {
      expect(psql(n, 'SELECT pg_is_in_recovery()'), n.name).toEqual(['t']);
      expect(refusesWrites(n), n.name).toBe(true);
    }
    for (const n of dr.nodes.filter((x) => x !== drLeader)) {
      await waitFor(`${n.name} is a replica`, async () => (await patroni(n))?.role === 'replica', 60_000);
      expect((await api(n, '/replica')).status).toBe(200);
    }
    // The replicas cascade from the standby leader, not from main.
    await waitForStreaming(dr, drLeader, dr.nodes.filter((x) => x !== drLeader));
    const list = await ctl(drCtl, 'list', '-f', 'json');
    expect(list.code, list.out).toBe(0);
    const roles = (JSON.parse(list.stdout) as { Member: string; Role: string }[]).map((m) => `${m.Member}:${m.Role}`);
    expect(roles).toContain(`${drLeader.name}:Standby Leader`);
  });

  it('the standby leader host dies: another DR member becomes standby leader and keeps following main', async () => {
    const lost = drLeader;
    await dr.killHost(lost);
    drAlive = dr.nodes.filter((n) => n !== lost);
    drLeader = await waitForStandbyLeader(drAlive);
    expect(refusesWrites(drLeader)).toBe(true);
    psql(mainPrimary, `INSERT INTO ${TABLE} (id, node) SELECT g, 'main' FROM generate_series(101, 150) g`);
    await waitForRows(drAlive, 150);
  });

  it("main's primary host dies: main fails over and DR follows the new main primary", async () => {
    const lost = mainPrimary;
    // Everything written so far is on every main node before the host goes.
    await waitForRows(main.nodes, 150);
    await main.killHost(lost);
    mainAlive = main.nodes.filter((n) => n !== lost);
    mainPrimary = await waitForPrimary(main, mainAlive);
    forwarder.dropConnections();
    writer = new Writer([mainPrimary], ACKS);
    writer.start();
    await waitFor('main acknowledged writes after its failover', () => writer!.acks.length >= 20, 60_000);
    await writer.stop();
    // Written after the last ack: once DR has these rows it has replayed every ack too.
    psql(mainPrimary, `INSERT INTO ${TABLE} (id, node) SELECT g, 'main' FROM generate_series(151, 200) g`);
    await waitForRows(drAlive, 200, 90_000);
    for (const n of drAlive) expect(refusesWrites(n), n.name).toBe(true);
  });

  it('promote-cluster makes DR writable, with every row main acknowledged', async () => {
    const before = Number((await patroni(drLeader))?.timeline);
    const r = await ctl(drCtl, 'promote-cluster', '--force');
    expect(r.code, `${r.out}\n${both()}`).toBe(0);
    const drPrimary = await waitForPrimary(dr, drAlive);
    expect(drPrimary.name).toBe(drLeader.name);
    expect(await missingOn(drPrimary, ACKS, writer!.acks)).toEqual([]);
    expect(Number((await patroni(drPrimary))?.timeline)).toBe(before + 1);
    expect((await api(drPrimary, '/primary')).status).toBe(200);
    expect((await api(drPrimary, '/standby-leader')).status).toBe(503);
    psql(drPrimary, `INSERT INTO ${TABLE} (id, node) SELECT g, 'dr' FROM generate_series(201, 210) g`);
    const total = count(drPrimary);
    await waitForRows(drAlive, total);
  });

  it('demote-cluster turns the old main into a standby cluster of DR', async () => {
    const drPrimary = drLeader;
    const r = await ctl(mainCtl, 'demote-cluster', '--host', '127.0.0.1', '--port', String(drPrimary.pgPort), '--force');
    expect(r.code, `${r.out}\n${both()}`).toBe(0);
    const mainStandbyLeader = await waitForStandbyLeader(mainAlive);
    expect(mainStandbyLeader.name).toBe(mainPrimary.name);
    psql(drPrimary, `INSERT INTO ${TABLE} (id, node) SELECT g, 'dr' FROM generate_series(211, 220) g`);
    const total = count(drPrimary);
    await waitForRows(mainAlive, total, 120_000);
    for (const n of mainAlive) expect(refusesWrites(n), n.name).toBe(true);
    expect(psql(mainStandbyLeader, `SELECT count(*) FROM ${TABLE} WHERE node = 'must-fail'`)).toEqual(['0']);
  });
});
