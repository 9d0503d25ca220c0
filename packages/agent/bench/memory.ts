/**
 * `pnpm bench memory`: where an idle agent's memory goes. First the import stages (one
 * fresh `node` per stage, after a full GC), with and without the start-up settings the
 * `pgwarden` executable applies; then three running agents on a real etcd and
 * PostgreSQL 15, idle for a window: RSS (largest seen, and split into anonymous and
 * file-backed at the end), the V8 heap as each agent sees it, and CPU. `--baseline-bin`
 * runs another build's agents in the same run; `--node-options` passes NODE_OPTIONS to
 * the agents (to try a V8 flag).
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BIN } from '../test/e2e/cluster.js';
import { parseMemoryArgs } from './args.js';
import { now } from './clock.js';
import { measureAgents, type AgentFigures } from './memory-agents.js';
import { measureStage, STAGES, type StageFigures } from './memory-stages.js';
import { runMain } from './run-main.js';
import { table } from './table.js';

const started = now();
function log(line: string): void {
  process.stderr.write(`[bench:memory +${Math.round((now() - started) / 1000)}s] ${line}\n`);
}

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mb = (v: number): string => v.toFixed(1);

/** What the `pgwarden` executable does before it loads the agent (src/startup.ts, bundled as memory-prelude.js). */
const AGENT_PRELUDE = `await import(${JSON.stringify(join(agentDir, 'bench', 'dist', 'memory-prelude.js'))});`;

function stageTable(runs: number): string {
  const rows: string[][] = [];
  let before: StageFigures | null = null;
  for (const [i, stage] of STAGES.entries()) {
    log(`stage ${i + 1}/${STAGES.length}: ${stage.label}`);
    const plain = measureStage(i, { cwd: agentDir, prelude: '', runs, nodeArgs: [] });
    const tuned = measureStage(i, { cwd: agentDir, prelude: AGENT_PRELUDE, runs, nodeArgs: [] });
    const delta = before ? `+${mb(plain.rssMb - before.rssMb)}` : '';
    rows.push([
      stage.label,
      mb(plain.rssMb),
      delta,
      mb(plain.anonMb),
      mb(plain.fileMb),
      `${mb(plain.heapUsedMb)} / ${mb(plain.heapCommittedMb)}`,
      mb(plain.newSpaceMb),
      mb(plain.externalMb),
      mb(tuned.rssMb),
      mb(tuned.newSpaceMb),
    ]);
    before = plain;
  }
  return table(
    ['loaded (cumulative)', 'RSS MB', 'step', 'anon', 'file', 'heap used / committed', 'new space', 'external', 'RSS, start-up settings (pg preloaded)', 'new space, start-up settings'],
    rows,
  );
}

function agentRows(label: string, figures: readonly AgentFigures[]): string[][] {
  return figures.map((f) => [
    `${label} ${f.name}${f.leader ? ' (leader)' : ''}`,
    mb(f.maxRssMb),
    mb(f.rssMb),
    mb(f.anonMb),
    mb(f.fileMb),
    `${mb(f.heapUsedMb)} / ${mb(f.heapCommittedMb)}`,
    mb(f.newSpaceMb),
    mb(f.oldSpaceMb),
    mb(f.codeSpaceMb),
    mb(f.externalMb),
    `${f.cpuPercent.toFixed(3)} %`,
    `${f.scavenges} / ${f.fullGcs}`,
    `${f.gcMs.toFixed(0)} ms`,
  ]);
}

async function main(): Promise<number> {
  const args = parseMemoryArgs(process.argv.slice(2));
  const loadBefore = loadavg()[0]!;
  log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let out = '';
  if (args.stages) out += `Import stages (RSS after a full GC, median of ${args.runs} processes each):\n\n${stageTable(args.runs)}\n\n`;
  if (args.agents) {
    const builds = [{ label: 'pgwarden', bin: AGENT_BIN }, ...(args.baselineBin ? [{ label: 'baseline', bin: args.baselineBin }] : [])];
    const rows: string[][] = [];
    for (const b of builds) {
      const figures = await measureAgents({ ...b, timing: args.timing, windowMs: args.windowSeconds * 1000, nodeOptions: args.nodeOptions, profileDir: args.profileDir, log });
      rows.push(...agentRows(b.label, figures));
    }
    out +=
      `Running agents at ${args.timing.label}, idle ${args.windowSeconds} s${args.nodeOptions ? `, NODE_OPTIONS=${args.nodeOptions}` : ''}:\n\n` +
      `${table(['agent', 'RSS max', 'RSS end', 'anon', 'file', 'heap used / committed', 'new space', 'old space', 'code space', 'external', 'CPU', 'GCs young / full', 'GC time'], rows)}\n`;
  }
  const minutes = (now() - started) / 60_000;
  process.stdout.write(`\npgwarden memory (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadBefore.toFixed(2)} before / ${loadavg()[0]!.toFixed(2)} after, ${minutes.toFixed(1)} min). MB = MiB.\n\n${out}`);
  return 0;
}

runMain(main);
