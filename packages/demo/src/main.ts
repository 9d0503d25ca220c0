/**
 * `pnpm demo`: a three-node pgwarden cluster in one process, on real PostgreSQL.
 *
 *   node packages/demo/dist/main.js [--dcs memory|etcd://host:port] [--keep]
 *   node packages/demo/dist/main.js --cleanup DIR
 *
 * Prints `ACKED <n>` (inserts Postgres acknowledged) and, with --keep, `KEPT <dir>`:
 * the cluster stays up (engines stopped, Postgres running) and <dir>/demo.json says
 * how to reach the final primary. `--cleanup <dir>` stops it and removes the directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPE, SUPERUSER } from './cluster-config.js';
import { chooseDcs } from './dcs-choice.js';
import { cleanupDemoDir, livePostmasters } from './cleanup.js';
import { findPostgresBinDir, postgresUserIfRoot, Workspace, DemoSetupError } from './environment.js';
import { ClusterObserver } from './observer.js';
import { say, seconds } from './progress.js';
import { formCluster, hostLoss, rejoin, switchover, verify, writeRows, type StoryContext } from './story.js';

interface Args {
  dcs?: string;
  keep: boolean;
  cleanup?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--keep') args.keep = true;
    else if (a === '--dcs') args.dcs = argv[++i];
    else if (a.startsWith('--dcs=')) args.dcs = a.slice(6);
    else if (a === '--cleanup') args.cleanup = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: pgwarden-demo [--dcs memory|etcd://host:port] [--keep] | --cleanup DIR\n');
      process.exit(0);
    } else throw new DemoSetupError(`unknown argument ${a} (try --help)`);
  }
  return args;
}

async function run(args: Args): Promise<number> {
  if (args.cleanup) {
    const n = await cleanupDemoDir(args.cleanup);
    say(`stopped ${n} postmaster(s) and removed ${args.cleanup}`);
    return 0;
  }
  const t0 = Date.now();
  const binDir = findPostgresBinDir();
  const user = postgresUserIfRoot();
  const ws = new Workspace(user);
  const dcs = chooseDcs(args.dcs, SCOPE);
  say(`pgwarden demo — PostgreSQL from ${binDir}${user ? `, run as user '${user.name}' (we are root)` : ''}`);
  say(`working directory ${ws.root} (agent logs: <node>.agent.log, Postgres logs: <node>.postgres.log)`);
  // Ctrl-C: Postgres outlives the agent by design, so stop the demo's postmasters ourselves.
  process.once('SIGINT', () => {
    for (const pid of livePostmasters(ws.root)) process.kill(pid, 'SIGQUIT');
    say(`\ninterrupted: stopped Postgres; logs are in ${ws.root}`);
    process.exit(130);
  });
  const observer = await ClusterObserver.open(dcs, join(ws.root, 'observer.log'), t0);
  observer.start();
  const ctx: StoryContext = { ws, dcs, binDir, observer, nodes: new Map(), timings: {}, workload: null };
  let ok = false;
  try {
    const first = await formCluster(ctx);
    say('\n== 2. Writing rows ==');
    await writeRows(ctx, 'before failover');
    const second = await hostLoss(ctx, first);
    say('\n== 4. Writing rows on the new primary ==');
    await writeRows(ctx, 'after failover');
    const back = await rejoin(ctx, first, second);
    say('\n== 6. Writing rows with all three nodes back ==');
    await writeRows(ctx, 'after rejoin');
    const last = await switchover(ctx, second, back);
    say('\n== 8. Writing rows on the switched-over primary ==');
    await writeRows(ctx, 'after switchover');
    const result = await verify(ctx, last);
    summary(ctx, t0, result.timeline);
    say(`ACKED ${ctx.workload!.acked}`);
    if (args.keep) {
      writeFileSync(
        join(ws.root, 'demo.json'),
        JSON.stringify({ primary: { name: last.name, host: '127.0.0.1', port: last.address.pgPort, user: SUPERUSER.username, password: SUPERUSER.password }, acked: ctx.workload!.acked }, null, 2),
        { mode: 0o600 },
      );
    }
    ok = true;
  } finally {
    await ctx.workload?.disconnect();
    await observer.close();
    // --keep leaves Postgres running for inspection; the engines stop either way.
    const keepPostgres = args.keep && ok;
    // Every engine stops before any Postgres does: a node whose leader vanished would
    // otherwise race for the lock and promote itself while we tear the cluster down.
    await Promise.all([...ctx.nodes.values()].map((n) => n.loop.stop()));
    // A shared etcd keeps no trace of the run: the cluster's keys go with it.
    if (!keepPostgres) await [...ctx.nodes.values()][0]?.dcs.deleteCluster().catch(() => undefined);
    for (const node of ctx.nodes.values()) await node.shutdown(!keepPostgres).catch(() => undefined);
    if (keepPostgres) say(`KEPT ${ws.root}\n  inspect it, then stop it with: node packages/demo/dist/main.js --cleanup ${ws.root}`);
    else if (ok) await ws.remove();
    else say(`logs kept in ${ws.root}`);
  }
  return 0;
}

function summary(ctx: StoryContext, t0: number, timeline: number): void {
  say('\n== Summary ==');
  for (const [what, ms] of Object.entries(ctx.timings)) say(`  ${what.padEnd(40)} ${seconds(ms)}`);
  say('  who led when:');
  const reigns = ctx.observer.reigns;
  reigns.forEach((r, i) => {
    const end = reigns[i + 1]?.from ?? Date.now();
    say(`    ${seconds(r.from - t0).padStart(8)} – ${seconds(end - t0).padStart(8)}  ${r.leader ?? '(no leader)'}`);
  });
  say(`  final timeline ${timeline}, ${ctx.workload!.acked} acknowledged inserts, all present; total ${seconds(Date.now() - t0)}`);
}

const args = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
})();

run(args).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
