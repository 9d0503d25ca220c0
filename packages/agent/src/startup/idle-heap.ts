/**
 * V8 settings that make an idle agent give back the memory its start-up used.
 *
 * Start-up (loading the code, reading the config, cloning or bootstrapping, the first
 * cycles) leaves garbage in V8's old generation. By default V8 lets the old generation
 * grow 8 MB past what is live before it collects it, and its memory reducer (the full
 * collections that compact the heap and return empty pages) starts 8 s after a full
 * collection: an idle agent, which promotes little, holds 2–3 MB of start-up garbage
 * for a minute or more. `--optimize-for-size` makes V8 collect the old generation once
 * it has grown 2 MB and lets the memory reducer run as soon as it is due, and the
 * shorter reducer delay returns the pages about a second after start-up goes quiet.
 * The cost is more full collections while much is allocated; on a 10 MB heap each
 * takes a few milliseconds.
 *
 * `--no-turbofan` keeps V8's optimizing compiler from running. An idle agent runs each
 * function of its cycle once per loop_wait, far too rarely for V8 to optimize it; but
 * the compiler still ran for a few dozen functions hot at start-up, and its first run
 * pages in about 4 MB of the `node` executable's code, plus its working memory, for the
 * life of the process. Under a flood of REST requests the compiler is switched on for
 * good (releaseOptimizer, called by young-generation.ts). All three flags are read by
 * V8 whenever it decides, so they can be set from inside the process.
 */
import { setFlagsFromString } from 'node:v8';
import { youngGenerationTuned } from './v8-flags.js';

/** Also keeps the young generation small, so it is left out when the user sizes that (v8-flags.ts). */
const OPTIMIZE_FOR_SIZE = '--optimize-for-size';
export const HOLD_OPTIMIZER = '--no-turbofan';
export const RELEASE_OPTIMIZER = '--turbofan';
export const IDLE_HEAP_FLAGS: readonly string[] = [OPTIMIZE_FOR_SIZE, '--gc-memory-reducer-start-delay-ms=1000', HOLD_OPTIMIZER];

/** Whether this process holds the optimizing compiler off (the command line did not decide). */
let optimizerHeld = false;

/** `--no-optimize-for-size`, `--gc_memory_reducer_start_delay_ms 8000`: the flag's name, as V8 matches it. */
function flagName(word: string): string {
  return word.replace(/^--?(no-?)?/, '').split('=')[0]!.replaceAll('_', '-');
}

/**
 * Applies IDLE_HEAP_FLAGS except those the command line sets itself (either way, e.g.
 * `node --no-optimize-for-size pgwarden …` keeps V8's default), and without
 * `--optimize-for-size` when the command line or NODE_OPTIONS sizes the young
 * generation. Returns the flags applied.
 */
export function applyIdleHeapFlags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env['NODE_OPTIONS'] ?? ''): string[] {
  const given = new Set(execArgv.filter((a) => a.startsWith('-')).map(flagName));
  if (youngGenerationTuned(execArgv, nodeOptions)) given.add(flagName(OPTIMIZE_FOR_SIZE));
  // --jitless and --max-opt decide about the compiler too: then the user's choice stands.
  if (given.has('jitless') || given.has('max-opt')) given.add(flagName(HOLD_OPTIMIZER));
  const applied = IDLE_HEAP_FLAGS.filter((flag) => !given.has(flagName(flag)));
  for (const flag of applied) setFlagsFromString(flag);
  if (applied.includes(HOLD_OPTIMIZER)) optimizerHeld = true;
  return applied;
}

/** Switches the optimizing compiler on for the rest of the process, if the agent held it off. */
export function releaseOptimizer(setFlags: (flags: string) => void = setFlagsFromString): boolean {
  if (!optimizerHeld) return false;
  optimizerHeld = false;
  setFlags(RELEASE_OPTIMIZER);
  return true;
}
