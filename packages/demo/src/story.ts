/**
 * The demo's story, one step per function: form a cluster, write, lose the primary's
 * host, rejoin it through pg_rewind, switch over, verify. Every wait has a deadline and
 * a message that says which step did not happen.
 */
import { join } from 'node:path';
import { SCOPE } from './cluster-config.js';
import type { DcsChoice } from './dcs-choice.js';
import type { Workspace } from './environment.js';
import { DemoNode, type NodeAddress } from './node.js';
import type { ClusterObserver } from './observer.js';
import { freeLoopbackPort } from './ports.js';
import { say, seconds, waitFor } from './progress.js';
import { endpointOf, query, type PgEndpoint } from './sql.js';
import { renderTable } from './table.js';
import { Workload } from './workload.js';

export interface StoryContext {
  readonly ws: Workspace;
  readonly dcs: DcsChoice;
  readonly binDir: string;
  readonly observer: ClusterObserver;
  readonly nodes: Map<string, DemoNode>;
  readonly timings: Record<string, number>;
  workload: Workload | null;
}

const NAMES = ['pg1', 'pg2', 'pg3'];
/** Rows written in each phase of the story. */
const ROWS_PER_PHASE = 300;

export function endpointOfNode(node: DemoNode): PgEndpoint {
  return { host: '127.0.0.1', port: node.address.pgPort };
}

async function leaderNode(ctx: StoryContext): Promise<DemoNode | null> {
  const cluster = await ctx.observer.refresh();
  const name = cluster?.leader?.name;
  return name ? (ctx.nodes.get(name) ?? null) : null;
}

/** The leader as the DCS names it, if its Postgres answers as a writable primary. */
async function writablePrimary(ctx: StoryContext, not?: string): Promise<DemoNode | null> {
  const node = await leaderNode(ctx);
  if (!node || node.name === not) return null;
  const [row] = await query<{ r: boolean }>(endpointOfNode(node), 'SELECT pg_is_in_recovery() AS r');
  return row && !row.r ? node : null;
}

/** Replicas streaming from `primary`, by application_name (= member name). */
async function streamingReplicas(primary: DemoNode): Promise<string[]> {
  const rows = await query<{ application_name: string }>(endpointOfNode(primary), "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
  return rows.map((r) => r.application_name).sort();
}

/** True once every named replica has replayed everything the primary has written. */
async function caughtUp(primary: DemoNode, names: readonly string[]): Promise<boolean> {
  const rows = await query<{ application_name: string; behind: string }>(
    endpointOfNode(primary),
    "SELECT application_name, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text AS behind FROM pg_stat_replication WHERE state = 'streaming'",
  );
  return names.every((n) => rows.some((r) => r.application_name === n && Number(r.behind) <= 0));
}

/**
 * Waits until the member keys agree with what Postgres already shows (each agent
 * publishes once per loop_wait), then prints the table and what a load balancer's
 * health checks get from each node's REST API.
 */
async function printTable(ctx: StoryContext, streaming: number): Promise<void> {
  await waitFor('member keys catching up', async () => {
    const c = await ctx.observer.refresh();
    return c && c.members.filter((m) => m.data.replication_state === 'streaming').length >= streaming;
  }, { timeoutMs: 15_000 });
  const c = ctx.observer.cluster;
  if (c) say(renderTable(SCOPE, c));
  const checks = await Promise.all(
    [...ctx.nodes.values()].map(async (n) => {
      const code = async (path: string): Promise<string> => {
        try {
          return String((await fetch(`http://127.0.0.1:${n.address.apiPort}${path}`, { signal: AbortSignal.timeout(2000) })).status);
        } catch {
          return '---';
        }
      };
      return `${n.name} ${await code('/primary')}/${await code('/replica')}`;
    }),
  );
  say(`  REST health checks, GET /primary / GET /replica: ${checks.join(', ')}`);
}

export async function formCluster(ctx: StoryContext): Promise<DemoNode> {
  say(`\n== 1. Starting three nodes (${ctx.dcs.description}) ==`);
  for (const name of NAMES) {
    const address: NodeAddress = {
      name,
      pgPort: await freeLoopbackPort(),
      apiPort: await freeLoopbackPort(),
      dataDir: join(ctx.ws.root, name),
      socketDir: ctx.ws.mkdir(`${name}.sock`, 0o755),
    };
    const node = await DemoNode.create(address, ctx.ws, ctx.dcs, ctx.binDir);
    ctx.nodes.set(name, node);
    await node.start();
    say(`  ${name}: Postgres on 127.0.0.1:${address.pgPort}, REST API on http://127.0.0.1:${address.apiPort}/patroni`);
  }
  const t = Date.now();
  const { value: primary } = await waitFor('electing a leader and bootstrapping it (initdb)', () => writablePrimary(ctx), { timeoutMs: 60_000 });
  const others = NAMES.filter((n) => n !== primary.name);
  await waitFor(`cloning ${others.join(' and ')} from ${primary.name} (pg_basebackup) until both stream`, async () => {
    const s = await streamingReplicas(primary);
    return others.every((n) => s.includes(n));
  }, { timeoutMs: 60_000 });
  ctx.timings['cluster formed'] = Date.now() - t;
  say(`  cluster formed in ${seconds(Date.now() - t)}: ${primary.name} leads`);
  await printTable(ctx, 2);
  return primary;
}

export async function writeRows(ctx: StoryContext, phase: string): Promise<void> {
  const w = (ctx.workload ??= new Workload(async () => {
    const node = await leaderNode(ctx);
    return node ? { name: node.name, endpoint: endpointOfNode(node) } : null;
  }));
  await w.createTable();
  const t = Date.now();
  await w.insertMany(phase, ROWS_PER_PHASE, 30_000);
  say(`  wrote ${ROWS_PER_PHASE} rows (${phase}) in ${seconds(Date.now() - t)}; ${w.acked} acknowledged so far`);
}

/** Asynchronous replication: before pulling the plug, wait until the replicas have everything. */
async function waitCaughtUp(ctx: StoryContext, primary: DemoNode): Promise<void> {
  const replicas = [...ctx.nodes.keys()].filter((n) => n !== primary.name);
  await waitFor(`replicas ${replicas.join(', ')} replaying all of ${primary.name}'s WAL`, () => caughtUp(primary, replicas), { timeoutMs: 20_000 });
}

export async function hostLoss(ctx: StoryContext, primary: DemoNode): Promise<DemoNode> {
  say(`\n== 3. Host loss: ${primary.name}'s agent stops without releasing the lock, its postmaster gets SIGKILL ==`);
  await waitCaughtUp(ctx, primary);
  const t0 = Date.now();
  const pid = await primary.crash();
  say(`  ${primary.name}: HA loop stopped, postmaster ${pid} killed; the lock stays until its ttl (20 s) runs out`);
  const w = ctx.workload!;
  // The application keeps trying; its first acknowledged insert marks the end of the outage.
  let firstWrite: number | null = null;
  const { value: next } = await waitFor(
    'failover: waiting for the lock to expire and a replica to promote',
    async () => {
      const n = await writablePrimary(ctx, primary.name).catch(() => null);
      if (n && firstWrite === null && (await w.insert('during failover')).ok) firstWrite = Date.now();
      return n;
    },
    { timeoutMs: 60_000, intervalMs: 250, detail: () => `(leader key: ${ctx.observer.cluster?.leader?.name ?? 'none'})` },
  );
  const failover = Date.now() - t0;
  ctx.timings['failover (kill → new writable primary)'] = failover;
  if (firstWrite !== null) ctx.timings['writes unavailable'] = firstWrite - t0;
  say(`  failover done in ${seconds(failover)}: ${next.name} is the new primary`);
  const other = [...ctx.nodes.keys()].find((n) => n !== primary.name && n !== next.name)!;
  const { ms } = await waitFor(`${other} following ${next.name}`, async () => (await streamingReplicas(next)).includes(other), { timeoutMs: 30_000 });
  say(`  ${other} streams from ${next.name} (${seconds(ms)} later)`);
  await printTable(ctx, 1);
  return next;
}

export async function rejoin(ctx: StoryContext, old: DemoNode, primary: DemoNode): Promise<DemoNode> {
  say(`\n== 5. ${old.name} comes back: a new agent on the same data directory ==`);
  await old.closeDcs();
  const revived = await DemoNode.create(old.address, ctx.ws, ctx.dcs, ctx.binDir);
  ctx.nodes.set(old.name, revived);
  const t = Date.now();
  await revived.start();
  await waitFor(`${old.name} rewinding (pg_rewind) and streaming from ${primary.name}`, async () => (await streamingReplicas(primary)).includes(old.name), {
    timeoutMs: 90_000,
    detail: () => `(${old.name}: ${revived.loop.getStatus().message})`,
  });
  const rewound = revived.logger.recent.some((l) => l.includes('running pg_rewind from'));
  ctx.timings[`rejoin of ${old.name}`] = Date.now() - t;
  say(`  ${old.name} rejoined as a replica in ${seconds(Date.now() - t)}${rewound ? ' (pg_rewind ran)' : ''}`);
  await printTable(ctx, 2);
  return revived;
}

export async function switchover(ctx: StoryContext, primary: DemoNode, candidate: DemoNode): Promise<DemoNode> {
  say(`\n== 7. Switchover ${primary.name} → ${candidate.name} through the REST API (POST /switchover) ==`);
  const replicas = [...ctx.nodes.keys()].filter((n) => n !== primary.name);
  await waitCaughtUp(ctx, primary);
  await ctx.workload?.disconnect();
  const t = Date.now();
  const res = await fetch(`http://127.0.0.1:${primary.address.apiPort}/switchover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ leader: primary.name, candidate: candidate.name }),
    signal: AbortSignal.timeout(60_000),
  });
  say(`  ${primary.name}'s API answered ${res.status}: ${await res.text()}`);
  await waitFor(`${candidate.name} writable`, () => writablePrimary(ctx, primary.name), { timeoutMs: 30_000 });
  const done = Date.now() - t;
  ctx.timings['switchover'] = done;
  say(`  switchover done in ${seconds(done)}`);
  const { ms } = await waitFor(`${primary.name} following ${candidate.name}`, async () => {
    const s = await streamingReplicas(candidate);
    return replicas.filter((n) => n !== candidate.name).concat(primary.name).every((n) => s.includes(n));
  }, { timeoutMs: 60_000, detail: () => `(${primary.name}: ${primary.loop.getStatus().message})` });
  say(`  ${primary.name} streams from ${candidate.name} (${seconds(ms)} later)`);
  return candidate;
}

/** Counts rows on every node after the replicas caught up; throws when any acknowledged row is missing. */
export async function verify(ctx: StoryContext, primary: DemoNode): Promise<{ rows: number; timeline: number }> {
  say('\n== 9. Verifying every acknowledged row ==');
  await waitCaughtUp(ctx, primary);
  const acked = ctx.workload!.acked;
  const [p] = await query<{ n: string; tl: number }>(
    endpointOfNode(primary),
    'SELECT (SELECT count(*) FROM demo_rows)::text AS n, (SELECT timeline_id FROM pg_control_checkpoint()) AS tl',
  );
  const [tlRow] = await query<{ tl: string }>(endpointOfNode(primary), "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS tl");
  const timeline = Number.parseInt(tlRow!.tl, 16);
  const rows = Number(p!.n);
  for (const node of ctx.nodes.values()) {
    const [r] = await query<{ n: string }>(endpointOfNode(node), 'SELECT count(*)::text AS n FROM demo_rows');
    say(`  ${node.name}: ${r!.n} rows${node === primary ? ' (primary)' : ''}`);
  }
  await printTable(ctx, 2);
  // /history as any Patroni client reads it: where each timeline forked, when, and who was promoted.
  const history = (await (await fetch(`http://127.0.0.1:${primary.address.apiPort}/history`, { signal: AbortSignal.timeout(2000) })).json()) as unknown[][];
  say(`  GET /history on ${primary.name}:`);
  for (const [tli, lsn, reason, at, leader] of history) say(`    timeline ${tli} ended at LSN ${lsn} (${reason})${at ? `, ${at}` : ''}${leader ? `, new leader ${leader}` : ''}`);
  if (rows !== acked) throw new Error(`the final primary ${primary.name} has ${rows} rows, but ${acked} inserts were acknowledged`);
  say(`  all ${acked} acknowledged rows are on ${primary.name} (timeline ${timeline})`);
  return { rows, timeline };
}

export { endpointOf };
