/**
 * What each part of the agent adds to a Node process's memory: one fresh `node` per
 * stage imports the stage's modules and everything before it, runs a full GC and reports
 * its RSS (anonymous and file-backed, from /proc/self/smaps_rollup) and V8's figures.
 * Fresh processes, so no stage inherits another's garbage or grown heap.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface StageFigures {
  readonly rssMb: number;
  /** Anonymous memory: V8's heap, malloc, thread stacks. */
  readonly anonMb: number;
  /** File-backed pages: the node binary and shared libraries (shared with other processes, counted in each RSS). */
  readonly fileMb: number;
  /** V8 heap committed (heapTotal) and in use (heapUsed). */
  readonly heapCommittedMb: number;
  readonly heapUsedMb: number;
  /** Committed size of V8's young generation (new_space). */
  readonly newSpaceMb: number;
  readonly codeSpaceMb: number;
  /** Memory V8 tracks outside its heap (Buffers, compiled WebAssembly, …). */
  readonly externalMb: number;
}

export interface Stage {
  readonly label: string;
  /** Specifiers imported at this stage, resolved from packages/agent. */
  readonly imports: readonly string[];
}

/**
 * The daemon's code: `pgwarden` imports it only when it runs the agent (not for
 * --version or --validate-config), so it is a chunk of its own in dist/, not part of
 * the package's exports.
 */
function daemonChunk(): string {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
  const chunk = readdirSync(dist).find((f) => /^daemon-[A-Z0-9]+\.js$/.test(f));
  if (!chunk) throw new Error(`no daemon-*.js chunk in ${dist}; build the agent: pnpm --filter @pgwarden/agent build`);
  return pathToFileURL(join(dist, chunk)).href;
}

export const STAGES: readonly Stage[] = [
  { label: 'node itself (ESM entry)', imports: [] },
  { label: 'node:http, node:https (REST API)', imports: ['node:http', 'node:https'] },
  { label: 'pg', imports: ['pg'] },
  { label: '@pgwarden/core', imports: ['@pgwarden/core'] },
  { label: '@pgwarden/dcs-etcd (HTTP/JSON gateway client)', imports: ['@pgwarden/dcs-etcd'] },
  { label: '@pgwarden/agent and the daemon (not started)', imports: ['@pgwarden/agent', daemonChunk()] },
  // Last: the agent holds it only while it reads YAML (config/yaml-library.ts).
  { label: 'yaml (while reading the config)', imports: ['yaml'] },
];

/** Runs in the child: `prelude` first (the agent's start-up settings, when measured with them). */
function probeSource(prelude: string, imports: readonly string[]): string {
  return `${prelude}
for (const m of ${JSON.stringify(imports)}) await import(m);
for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); }
const { readFileSync } = await import('node:fs');
const v8 = await import('node:v8');
const roll = readFileSync('/proc/self/smaps_rollup', 'utf8');
const kb = (k) => Number(new RegExp('^' + k + ':\\\\s+(\\\\d+)', 'm').exec(roll)[1]);
const space = (n) => v8.getHeapSpaceStatistics().find((s) => s.space_name === n)?.space_size ?? 0;
const mu = process.memoryUsage();
const MB = 1048576;
process.stdout.write(JSON.stringify({
  rssMb: kb('Rss') / 1024, anonMb: kb('Anonymous') / 1024, fileMb: (kb('Rss') - kb('Anonymous')) / 1024,
  heapCommittedMb: mu.heapTotal / MB, heapUsedMb: mu.heapUsed / MB, newSpaceMb: space('new_space') / MB,
  codeSpaceMb: space('code_space') / MB, externalMb: mu.external / MB,
}));`;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One stage, `runs` times; each figure is the median over the runs. */
export function measureStage(stageIndex: number, options: { cwd: string; prelude: string; runs: number; nodeArgs: readonly string[] }): StageFigures {
  const imports = STAGES.slice(0, stageIndex + 1).flatMap((s) => s.imports);
  const samples: StageFigures[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...options.nodeArgs, '--input-type=module', '-e', probeSource(options.prelude, imports)], {
      cwd: options.cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`stage "${STAGES[stageIndex]!.label}" failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    samples.push(JSON.parse(r.stdout) as StageFigures);
  }
  const keys = Object.keys(samples[0]!) as (keyof StageFigures)[];
  return Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])) as unknown as StageFigures;
}
