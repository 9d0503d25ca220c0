/**
 * The measured scenarios, run in order on one three-node cluster of one agent kind at one
 * timing. Each returns the primary it leaves behind, with the cluster healthy again.
 */
import { SCOPE, type AgentNode, type E2eCluster } from '../test/e2e/cluster.js';
import { now, sleep, until } from './clock.js';
import { waitHealthy, query } from './health.js';
import { leaderKey, observeLeaseEnd } from './lease.js';
import { loadPrimary } from './load.js';
export { idle } from './idle.js';
export { tail } from './tail.js';
import type { Timing } from './metrics.js';
import { CREATE_WRITE_TABLE, WRITE_TABLE, startWriters, stopWriters, type Writer } from './writer.js';

export interface ScenarioContext {
  readonly cluster: E2eCluster;
  readonly timing: Timing;
  readonly quick: boolean;
  /** The `idle` scenario's measuring window, in seconds. */
  readonly idleWindowS: number;
  /** Records a metric's value (in the metric's unit) and an optional detail line. */
  record(metricId: string, value: number, detail?: string): void;
  /** Prints a progress line. */
  log(line: string): void;
}

const secondsSince = (t: number): number => (now() - t) / 1000;

/** The earliest ack after `after` on any writer; on `fresh`'s node only from a new connection. */
function firstAck(writers: readonly Writer[], after: number, fresh?: AgentNode): { at: number; node: AgentNode } | null {
  let best: { at: number; node: AgentNode } | null = null;
  for (const w of writers) {
    const at = w.firstAckAfter(after, w.node === fresh);
    if (at !== null && (!best || at < best.at)) best = { at, node: w.node };
  }
  return best;
}

/** Starts the three agents together; healthy = one writable leader, two streaming replicas. */
export async function startAll(ctx: ScenarioContext): Promise<AgentNode> {
  const t0 = now();
  for (const n of ctx.cluster.nodes) ctx.cluster.start(n);
  const primary = await waitHealthy(ctx.cluster, 180_000);
  ctx.record('start', secondsSince(t0), `leader ${primary.name}`);
  return primary;
}

export async function getPrimary(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  // 2 threads × 4 connections in flight: more only queues SYNs behind Patroni's listen
  // backlog of 5 (Python's socketserver default) and measures TCP retransmits instead.
  const r = await loadPrimary(primary, ctx.quick ? 2000 : 5000, 2, 4);
  const detail = `8 in flight, ${r.requests} answered, p50 ${r.p50Ms.toFixed(1)} ms, ${r.failures} failed`;
  ctx.record('get-primary-rps', r.rps, detail);
  ctx.record('get-primary-p99', r.p99Ms, detail);
  return primary;
}

async function prepareWrites(ctx: ScenarioContext, primary: AgentNode): Promise<void> {
  await query(primary, CREATE_WRITE_TABLE);
  for (const n of ctx.cluster.nodes) {
    await until(`${WRITE_TABLE} replicated to ${n.name}`, async () => (await query(n, `SELECT to_regclass('${WRITE_TABLE}') AS t`))[0]?.t, 30_000);
  }
}

/** Writers start before the event so the "last write before" is a real acknowledged write. */
async function writersWarm(writers: readonly Writer[], on: AgentNode): Promise<void> {
  const w = writers.find((x) => x.node === on);
  if (w) await until(`writes acknowledged on ${on.name}`, async () => w.acks.length > 3, 30_000, 20);
  else await sleep(300);
}

export async function switchover(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  await prepareWrites(ctx, primary);
  const candidate = ctx.cluster.nodes.find((n) => n !== primary)!;
  const writers = startWriters(ctx.cluster.nodes);
  try {
    await writersWarm(writers, primary);
    const t0 = now();
    const res = await fetch(`${primary.apiUrl}/switchover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ leader: primary.name, candidate: candidate.name }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    const answeredAt = now();
    if (res.status !== 200) throw new Error(`POST /switchover on ${primary.name}: ${res.status} ${text}`);
    const first = await until(`a write acknowledged on ${candidate.name}`, async () => writers.find((w) => w.node === candidate)!.firstAckAfter(t0), 60_000, 10);
    const lastOld = writers.find((w) => w.node === primary)!.lastAckBefore(first);
    ctx.record('switchover-write', (first - t0) / 1000, `POST answered after ${((answeredAt - t0) / 1000).toFixed(2)} s`);
    if (lastOld !== null) ctx.record('write-gap', (first - lastOld) / 1000);
    const healthy = await waitHealthy(ctx.cluster, 120_000);
    if (healthy !== candidate) throw new Error(`after the switchover ${healthy.name} is primary, not ${candidate.name}`);
    ctx.record('switchover-healthy', secondsSince(t0));
    return candidate;
  } finally {
    await stopWriters(writers);
  }
}

/** SIGKILL of the primary's postmaster alone; writable again on any node. */
export async function postmasterKill(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  await prepareWrites(ctx, primary);
  const writers = startWriters(ctx.cluster.nodes);
  let t0 = 0;
  try {
    await writersWarm(writers, primary);
    const pid = ctx.cluster.postmasterPid(primary);
    if (!pid) throw new Error(`no postmaster.pid in ${primary.dataDir}`);
    t0 = now();
    process.kill(pid, 'SIGKILL');
    const first = await until('a write acknowledged after the postmaster was killed', async () => firstAck(writers, t0, primary), (ctx.timing.ttl + 60) * 1000, 10);
    ctx.record('postmaster-kill', (first.at - t0) / 1000, `written on ${first.node.name}${first.node === primary ? ' (restarted in place)' : ' (failed over)'}`);
  } finally {
    await stopWriters(writers);
  }
  // Healthy = both replicas streaming again from whichever node is primary now.
  const healthy = await waitHealthy(ctx.cluster, 180_000);
  ctx.record('postmaster-kill-healthy', secondsSince(t0), `primary ${healthy.name}`);
  return healthy;
}

/**
 * A lost host (agent and postmaster SIGKILLed), then the same node started again. The
 * failover figure is counted from the lease's expiry (see lease.ts), since no agent can
 * take the leader key before etcd lets it go.
 */
export async function hostLoss(ctx: ScenarioContext, primary: AgentNode): Promise<AgentNode> {
  await prepareWrites(ctx, primary);
  const survivors = ctx.cluster.nodes.filter((n) => n !== primary);
  const etcdHost = ctx.cluster.etcd.hosts[0]!;
  const key = `/service/${SCOPE}/leader`;
  const held = await leaderKey(etcdHost, key);
  if (held?.value !== primary.name || held.lease === '0') throw new Error(`leader key ${key} is ${JSON.stringify(held)}, expected ${primary.name} with a lease`);
  const writers = startWriters(survivors);
  try {
    await sleep(500); // replicas refuse writes: give the writers time to connect
    const t0 = now();
    await ctx.cluster.killHost(primary);
    const lease = await observeLeaseEnd(etcdHost, key, held.lease, (ctx.timing.ttl + 30) * 1000);
    const first = await until('a write acknowledged on a survivor', async () => firstAck(writers, t0), (ctx.timing.ttl + 90) * 1000, 10);
    ctx.record(
      'host-loss',
      (first.at - lease.expiresAt) / 1000,
      `kill → writable ${((first.at - t0) / 1000).toFixed(2)} s; lease expired ${((lease.expiresAt - t0) / 1000).toFixed(2)} s after the kill; ` +
        `etcd deleted the key ${Math.round(lease.keyGoneAt - lease.expiresAt)} ms after expiry, writable ${Math.round(first.at - lease.keyGoneAt)} ms after that`,
    );
  } finally {
    await stopWriters(writers);
  }
  await waitHealthy(ctx.cluster, 180_000, survivors);
  const t1 = now();
  ctx.cluster.start(primary);
  const healthy = await waitHealthy(ctx.cluster, 240_000);
  ctx.record('rejoin', secondsSince(t1), `streaming from ${healthy.name}`);
  return healthy;
}
