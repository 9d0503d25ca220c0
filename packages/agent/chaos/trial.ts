/**
 * One chaos trial, start to finish: build the cluster, wait for a primary and streaming
 * replicas, start the clients, play the seed's fault schedule, heal, keep quiet, then
 * read the final primary and hand everything to the checker. Every step is logged, and
 * the cluster is torn down whatever happens.
 */
import { mkdirSync, mkdtempSync, rmSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { onProcessExit } from '@pgwarden/testkit';
import { sleep, waitFor } from '../test/e2e/cluster.js';
import { etcdGet } from '../test/e2e/requests.js';
import { checkTrial, type Verdict } from './checker.js';
import { CHAOS_TABLE, ChaosClients, connectTo, discard } from './clients.js';
import { ChaosCluster, type ChaosNode } from './cluster.js';
import { healEverything, inject } from './faults.js';
import { guardFirings, type GuardFirings } from './guard-firings.js';
import { networkFor, removeNetwork } from './network.js';
import { CHAOS_SCOPE, MAXIMUM_LAG_ON_FAILOVER, type SyncMode } from './node-config.js';
import { planFaults, type FaultKind } from './schedule.js';
import { TrialLog } from './trial-log.js';

export interface TrialOptions {
  readonly seed: number;
  readonly mode: SyncMode;
  /** Length of the fault phase, seconds. */
  readonly trialSeconds: number;
  /** Calm after the last fault heals, before the final read, seconds. */
  readonly quietSeconds?: number;
  /** Directory for `<mode>-<seed>.jsonl` and the agents' logs; null keeps nothing. */
  readonly outDir: string | null;
  /** Picks the namespace names and the 10.213.<netId>.0/24 subnet; default 77. */
  readonly netId?: number;
  readonly progress?: (line: string) => void;
}

export interface TrialResult {
  readonly seed: number;
  readonly mode: SyncMode;
  readonly faults: Partial<Record<FaultKind, number>>;
  readonly skippedFaults: number;
  readonly verdict: Verdict;
  readonly finalPrimary: string;
  /** Fence guard stops by why (`heartbeat-late`: the agent ran but was late). */
  readonly guardFirings: GuardFirings;
  readonly durationMs: number;
  readonly logPath: string | null;
}

async function writablePrimary(cluster: ChaosCluster, timeoutMs: number): Promise<ChaosNode> {
  return waitFor(
    'a writable primary',
    async () => {
      for (const n of cluster.nodes) {
        const s = await cluster.status(n);
        if ((s?.role !== 'primary' && s?.role !== 'master') || s.state !== 'running') continue;
        const c = await connectTo(n, 2000).catch(() => null);
        if (!c) continue;
        try {
          const r = await c.query<{ ro: boolean }>('SELECT pg_is_in_recovery() AS ro');
          if (r.rows[0]?.ro === false) return n;
        } finally {
          discard(c);
        }
      }
      return null;
    },
    timeoutMs,
    500,
  );
}

async function streamingReplicas(cluster: ChaosCluster, primary: ChaosNode, timeoutMs: number): Promise<void> {
  await waitFor(
    'every replica streaming',
    async () => {
      for (const n of cluster.nodes) {
        if (n === primary) continue;
        const s = await cluster.status(n);
        if (s?.state !== 'running' || s.replication_state !== 'streaming') return false;
      }
      return true;
    },
    timeoutMs,
    500,
  );
}

/** In synchronous modes faults start only once /sync names a standby: before that no replica may be promoted. */
async function syncStandbyNamed(cluster: ChaosCluster, timeoutMs: number): Promise<string> {
  return waitFor(
    '/sync to name a synchronous standby',
    async () => {
      const raw = await etcdGet(cluster.etcd.hosts, `/service/${CHAOS_SCOPE}/sync`);
      const standby = raw ? (JSON.parse(raw) as { sync_standby?: string | null }).sync_standby : null;
      return standby || null;
    },
    timeoutMs,
    500,
  );
}

async function idsOn(node: ChaosNode): Promise<Set<number>> {
  const c = await connectTo(node, 10_000);
  try {
    const r = await c.query<{ id: string }>(`SELECT id FROM ${CHAOS_TABLE}`);
    return new Set(r.rows.map((row) => Number(row.id)));
  } finally {
    discard(c);
  }
}

/** The agents' and Postgres logs of the trial, next to its JSON lines. */
function keepLogs(root: string, keep: string): void {
  mkdirSync(keep, { recursive: true });
  for (const f of readdirSync(root).filter((x) => x.endsWith('.log'))) cpSync(join(root, f), join(keep, f));
  for (const n of ['node1', 'node2', 'node3']) {
    try {
      cpSync(join(root, n, 'data.log'), join(keep, `${n}.postgres.log`));
    } catch {
      /* Postgres never started there */
    }
  }
}

export async function runTrial(options: TrialOptions): Promise<TrialResult> {
  const started = Date.now();
  const say = options.progress ?? (() => undefined);
  const net = networkFor(options.netId ?? 77, 3);
  const quietMs = (options.quietSeconds ?? 15) * 1000;
  const logPath = options.outDir ? join(options.outDir, `${options.mode}-${options.seed}.jsonl`) : null;
  if (logPath) rmSync(logPath, { force: true });
  const log = new TrialLog(logPath);
  const plan = planFaults({ seed: options.seed, faultPhaseMs: options.trialSeconds * 1000, nodes: 3, etcdMembers: 3 });
  log.write('trial', { seed: options.seed, mode: options.mode, trialSeconds: options.trialSeconds, quietSeconds: quietMs / 1000, maximumLagOnFailover: MAXIMUM_LAG_ON_FAILOVER, wall: new Date().toISOString() });
  for (const f of plan) log.write('planned', { ...f });

  const root = mkdtempSync('/tmp/pgwarden-chaos-');
  let cluster: ChaosCluster | null = null;
  let clients: ChaosClients | null = null;
  // Ctrl-C or a crash: every process dies, the namespaces go, the logs are kept.
  const unhook = onProcessExit(() => {
    cluster?.killAllSync();
    removeNetwork(net);
    if (options.outDir) keepLogs(root, join(options.outDir, `${options.mode}-${options.seed}`));
    rmSync(root, { recursive: true, force: true });
  });
  try {
    cluster = await ChaosCluster.create(root, net, options.mode);
    for (const n of cluster.nodes) cluster.startAgent(n);
    const first = await writablePrimary(cluster, 120_000);
    const c = await connectTo(first, 10_000);
    await c.query(`CREATE TABLE ${CHAOS_TABLE} (id bigint PRIMARY KEY, node text NOT NULL)`).finally(() => discard(c));
    await streamingReplicas(cluster, first, 120_000);
    if (options.mode !== 'async') log.write('sync', { standby: await syncStandbyNamed(cluster, 60_000) });
    say(`seed ${options.seed} ${options.mode}: ${first.name} is primary; ${plan.length} faults planned`);
    log.write('ready', { primary: first.name });

    clients = new ChaosClients(cluster.nodes.map((n) => ({ name: n.name, address: n.address })), log);
    clients.start();
    const faults: Partial<Record<FaultKind, number>> = {};
    let skipped = 0;
    const phaseStart = log.now();
    // Each fault on its own timeline: injected at its time, healed after its duration,
    // whatever the others do (the schedule lets at most two overlap).
    const outcomes = await Promise.allSettled(
      plan.map(async (f) => {
        await sleep(Math.max(0, phaseStart + f.atMs - log.now()));
        const injected = await inject(cluster!, f);
        if (injected.detail.startsWith('skipped')) skipped++;
        else faults[f.kind] = (faults[f.kind] ?? 0) + 1;
        log.write('fault', { kind: f.kind, detail: injected.detail, durationMs: f.durationMs, wall: new Date().toISOString() });
        say(`  +${((log.now() - phaseStart) / 1000).toFixed(1)}s ${f.kind}: ${injected.detail} for ${f.durationMs} ms`);
        await sleep(f.durationMs);
        await injected.heal();
        log.write('healed', { kind: f.kind, detail: injected.detail });
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    await healEverything(cluster);
    log.write('quiet', { ms: quietMs });
    await sleep(quietMs);
    const final = await writablePrimary(cluster, 120_000);
    // A few more acks on the final primary, then stop writing and read it.
    await sleep(2000);
    await clients.stop();
    const present = await idsOn(final);
    const firings = guardFirings(cluster.nodes.map((n) => n.dir));
    const verdict = checkTrial({ acks: clients.acks, presentIds: present, mode: options.mode, maximumLagOnFailover: MAXIMUM_LAG_ON_FAILOVER });
    const result: TrialResult = {
      seed: options.seed,
      mode: options.mode,
      faults,
      skippedFaults: skipped,
      verdict,
      finalPrimary: final.name,
      guardFirings: firings,
      durationMs: Date.now() - started,
      logPath,
    };
    log.write('outcome', { finalPrimary: final.name, faults, skippedFaults: skipped, guardFirings: firings, unreplicated: clients.unreplicated.length, ...verdict });
    return result;
  } catch (error) {
    log.write('error', { message: String(error) });
    throw error;
  } finally {
    await clients?.stop();
    log.flush();
    await cluster?.close().catch(() => undefined);
    removeNetwork(net);
    unhook();
    if (options.outDir) keepLogs(root, join(options.outDir, `${options.mode}-${options.seed}`));
    rmSync(root, { recursive: true, force: true });
  }
}
