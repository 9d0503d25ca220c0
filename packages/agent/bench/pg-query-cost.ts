/**
 * `pnpm bench pg-cost [--runs N] [--rounds R] [--spaced S] [--gap-ms G]`: what pgwarden's
 * per-cycle monitoring query costs the Postgres backend serving it, next to Patroni
 * 3.0.2's per-cycle query, on one PostgreSQL 15 primary with a streaming standby (and its
 * physical slot) and on that standby. In one process: no agents, no DCS.
 *
 * pgwarden's query runs through the real controller's `observe()`, on its kept session,
 * exactly as the HA loop asks it; Patroni's is sent over the simple protocol as psycopg2
 * sends it. Two measurements:
 * - back to back, pinned to one CPU: N runs of each, alternating, median of R rounds —
 *   steady figures for the work of the query itself;
 * - spaced: S runs of each, one every G ms per session — what an idle cycle pays, cold
 *   caches and a statistics flush included, and what the idle benchmark's "Postgres CPU
 *   of the agent's own queries" adds up (this figure times the cycles per second).
 */
import { LocalPostgresController, MemoryLogger, type LocalPostgresConfig } from '@pgwarden/core';
import { freeLoopbackPort, PostgresSandbox } from '@pgwarden/testkit';
import pg from 'pg';
import { availableParallelism } from 'node:os';
import { backendMicrosPerRun, PATRONI_3_0_2_CYCLE_QUERY, pinToCpu, simpleQueryRunner, spacedMicrosPerRun, type QueryRunner } from './pg-query-cost-measure.js';

const SUPERUSER = { username: 'postgres', password: 'cost-su' };
const REPLICATION = { username: 'replicator', password: 'cost-rep' };

interface CostNode {
  readonly name: string;
  readonly controller: LocalPostgresController;
  readonly socketDir: string;
  readonly port: number;
}

async function makeNode(sandbox: PostgresSandbox, name: string): Promise<CostNode> {
  const port = await freeLoopbackPort();
  const socketDir = sandbox.mkdir(`sock-${name}`, 0o755);
  const config: LocalPostgresConfig = {
    scope: 'pgcost',
    name,
    data_dir: sandbox.dataDirPath(`data-${name}`),
    listen: `127.0.0.1:${port}`,
    connect_address: `127.0.0.1:${port}`,
    authentication: { superuser: SUPERUSER, replication: REPLICATION },
    parameters: { unix_socket_directories: socketDir, fsync: 'off' },
    pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 md5', 'host replication replicator 127.0.0.1/32 md5'],
    pgpass: `${sandbox.root}/pgpass-${name}`,
    use_slots: true,
    pg_ctl_timeout: 30,
    ...(sandbox.runAs ? { run_as: { uid: sandbox.runAs.uid, gid: sandbox.runAs.gid, home: sandbox.homeDir } } : {}),
  };
  const controller = new LocalPostgresController({ config, logger: new MemoryLogger(), dynamicParameters: {}, postmasterLog: `${sandbox.root}/${name}.log` });
  return { name, controller, socketDir, port };
}

function clientConfig(node: CostNode): pg.ClientConfig {
  return { host: node.socketDir, port: node.port, user: SUPERUSER.username, database: 'postgres' };
}

function must<T>(r: { ok: true; value?: T } | { ok: false; message: string }, what: string): void {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
}

/** pgwarden's query as the HA loop asks it: the controller's observe() on its kept session. */
function pgwardenRunner(node: CostNode): QueryRunner {
  return {
    label: 'pgwarden',
    runOnce: async () => must(await node.controller.observe({ timeoutMs: 5000 }), `observe on ${node.name}`),
    backendPid: async () => {
      const admin = new pg.Client(clientConfig(node));
      await admin.connect();
      try {
        const rows = (await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgwarden' AND backend_type = 'client backend'")).rows;
        if (rows.length !== 1) throw new Error(`expected one pgwarden session on ${node.name}, found ${rows.length}`);
        return Number(rows[0]!.pid);
      } finally {
        await admin.end();
      }
    },
  };
}

async function setUp(sandbox: PostgresSandbox): Promise<{ primary: CostNode; standby: CostNode }> {
  const primary = await makeNode(sandbox, 'primary');
  const standby = await makeNode(sandbox, 'standby');
  must(await primary.controller.bootstrap(), 'bootstrap');
  must(await primary.controller.postBootstrap(), 'post-bootstrap');
  must(await primary.controller.syncSlots({ desired: [{ name: standby.name, type: 'physical' }], dropUndesired: false }, { timeoutMs: 10_000 }), 'slot');
  const upstream = { name: primary.name, connUrl: `postgres://127.0.0.1:${primary.port}/postgres` };
  must(await standby.controller.clone({ upstream }), 'clone');
  must(await standby.controller.start({ role: 'replica', upstream }), 'standby start');
  for (let i = 0; ; i++) {
    const o = await primary.controller.observe({ timeoutMs: 5000 });
    if (o.ok && o.value.replication.some((r) => r.state === 'streaming')) break;
    if (i > 200) throw new Error('the standby never started streaming');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { primary, standby };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Pair {
  readonly what: string;
  readonly ours: QueryRunner;
  readonly patroni: QueryRunner;
}

/** Back to back, client and backends on one CPU (no wake-ups across CPUs): the query's own work. */
async function backToBack(pairs: readonly Pair[], runs: number, rounds: number): Promise<void> {
  const cpu = availableParallelism() - 1;
  const pinned = pinToCpu(process.pid, cpu);
  for (const p of pairs) {
    for (const q of [p.ours, p.patroni]) {
      await q.runOnce(); // the session exists from the first run on
      if (pinned) pinToCpu(await q.backendPid(), cpu);
    }
  }
  console.log(`\nback to back${pinned ? `, on CPU ${cpu}` : ' (taskset missing: not pinned, noisier)'}: backend CPU per query, µs, median of ${rounds} rounds of ${runs}`);
  for (const p of pairs) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await backendMicrosPerRun(p.ours, runs));
      b.push(await backendMicrosPerRun(p.patroni, runs));
    }
    row(p.what, median(a), median(b));
  }
}

/** One query per session every `gapMs`, as an idle HA cycle sends it (cold caches, a statistics flush each). */
async function spaced(pairs: readonly Pair[], samples: number, gapMs: number): Promise<void> {
  console.log(`\nspaced, one query per session every ${gapMs} ms, in turn: backend CPU per query, µs, over ${samples} queries each`);
  const runners = pairs.flatMap((p) => [p.ours, p.patroni]);
  const us = await spacedMicrosPerRun(runners, samples, gapMs);
  pairs.forEach((p, i) => row(p.what, us[2 * i]!, us[2 * i + 1]!));
}

function row(what: string, ours: number, patroni: number): void {
  console.log(`  ${what.padEnd(40)}${ours.toFixed(1).padStart(9)}${patroni.toFixed(1).padStart(15)}${(ours / patroni).toFixed(2).padStart(7)}`);
}

function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a positive whole number, got '${args[i + 1] ?? ''}'`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = intArg(args, '--runs', 2000);
  const rounds = intArg(args, '--rounds', 3);
  const samples = intArg(args, '--spaced', 30);
  const gapMs = intArg(args, '--gap-ms', 1100);
  const sandbox = new PostgresSandbox({ prefix: 'pgwarden-pgcost-' });
  let nodes: { primary: CostNode; standby: CostNode } | null = null;
  const closing: (() => Promise<void>)[] = [];
  try {
    nodes = await setUp(sandbox);
    const pairs: Pair[] = [];
    for (const [what, node] of [['primary (1 streaming standby, 1 slot)', nodes.primary], ['standby (streaming)', nodes.standby]] as const) {
      // Patroni's own session settings for its local connection (statement_timeout as pgwarden's).
      const patroniSession = { ...clientConfig(node), statement_timeout: 2000, application_name: 'Patroni' };
      const patroni = await simpleQueryRunner('patroni', patroniSession, PATRONI_3_0_2_CYCLE_QUERY);
      closing.push(() => patroni.close());
      pairs.push({ what, ours: pgwardenRunner(node), patroni });
    }
    console.log(`${''.padEnd(42)}pgwarden  Patroni 3.0.2  ratio`);
    await backToBack(pairs, runs, rounds);
    await spaced(pairs, samples, gapMs);
  } finally {
    for (const close of closing) await close().catch(() => undefined);
    for (const n of [nodes?.standby, nodes?.primary]) {
      await n?.controller.stop('immediate', { timeoutMs: 10_000 });
      await n?.controller.close();
    }
    sandbox.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
