/**
 * `pnpm chaos`: random faults against a real three-node cluster, every acknowledged
 * write accounted for. See docs/chaos.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseChaosArgs, USAGE } from './args.js';
import { SYNC_MODES } from './node-config.js';
import { summarise } from './summary.js';
import { runTrial, type TrialResult } from './trial.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseChaosArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const outDir = resolve(args.outDir);
  mkdirSync(outDir, { recursive: true });
  // Ctrl-C: exit through process 'exit', where the testkit kills every child and the trial removes its namespaces.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  const results: TrialResult[] = [];
  const modes = args.mode === 'all' ? SYNC_MODES : [args.mode];
  for (let i = 0; i < args.trials; i++) {
    const mode = modes[i % modes.length]!;
    const seed = args.seed ?? (Date.now() ^ (i * 2654435761)) >>> 0;
    try {
      const r = await runTrial({ seed, mode, trialSeconds: args.trialSeconds, quietSeconds: args.quietSeconds, outDir, netId: args.netId, progress: (l) => console.log(l) });
      results.push(r);
      const v = r.verdict;
      console.log(
        `seed ${seed} ${mode}: ${v.violations.length ? 'VIOLATION' : 'clean'}; ${v.acks} acks, ${v.lostIds.length} lost (${v.lostWalBytes} WAL bytes), timelines ${v.timelines.join(',')}, final primary ${r.finalPrimary}, guard stops ${JSON.stringify(r.guardFirings)}, ${(r.durationMs / 1000).toFixed(0)} s`,
      );
      for (const line of v.violations) console.log(`  ! ${line}`);
      // Kept up to date after every trial, so an interrupted run still has its totals.
      writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summarise(results), null, 2));
    } catch (error) {
      console.log(`seed ${seed} ${mode}: trial failed to complete: ${(error as Error).message}`);
      writeFileSync(join(outDir, `${mode}-${seed}.error.txt`), String((error as Error).stack ?? error));
    }
  }
  const summary = summarise(results);
  writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
  console.log(JSON.stringify(summary, null, 2));
  return results.some((r) => r.verdict.violations.length > 0) || results.length < args.trials ? 1 : 0;
}

main().then((code) => process.exit(code));
