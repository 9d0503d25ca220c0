/**
 * The V8 settings the `pgwarden` daemon gives itself before it loads anything else.
 *
 * An idle agent allocates little, but its start-up (parsing the etcd client's protocol
 * definitions, the configuration, the first cluster snapshot) allocates fast, and V8
 * then grows the young generation up to 16 MB of semi-spaces. It shrinks it back only
 * at a later collection, which an idle agent reaches minutes later: 10–15 MB of RSS for
 * nothing until then. Holding the young generation at its initial 1 MB semi-space from
 * the start avoids that; daemon/young-generation.ts lets it grow again while the REST
 * API is flooded (docs/benchmarks.md, "Memory").
 *
 * `--max-semi-space-size` cannot change once the heap exists, but the growth factor is
 * read each time V8 considers growing it, so it can be set from inside the process.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 flags (without values) that tune the young generation: any of them given by the user wins over ours. */
const YOUNG_GENERATION_FLAGS = ['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size'];

/** Holds the young generation at its current size (the initial one, when set first). */
export const HOLD_YOUNG_GENERATION = '--semi-space-growth-factor=1';
/** V8's own growth factor: the young generation may double when much of it survives. */
export const RELEASE_YOUNG_GENERATION = '--semi-space-growth-factor=2';

export const AGENT_V8_FLAGS: readonly string[] = [HOLD_YOUNG_GENERATION];

/** `--max_semi_space_size=8` and `--max-semi-space-size 8` name the same V8 flag. */
function flagNames(words: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const word of words) {
    const m = /^--?([a-z0-9_-]+)/i.exec(word);
    if (m) names.add(m[1]!.toLowerCase().replaceAll('_', '-'));
  }
  return names;
}

/** Whether the command line or NODE_OPTIONS sizes the young generation itself. */
export function youngGenerationTuned(execArgv: readonly string[], nodeOptions: string): boolean {
  const given = flagNames([...execArgv, ...nodeOptions.split(/\s+/)]);
  return YOUNG_GENERATION_FLAGS.some((f) => given.has(f));
}

/**
 * Applies AGENT_V8_FLAGS unless the command line or NODE_OPTIONS already tunes the
 * young generation (e.g. `NODE_OPTIONS=--max-semi-space-size=16` restores V8's own
 * sizing). Returns the flags applied.
 */
export function applyAgentV8Flags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env['NODE_OPTIONS'] ?? ''): string[] {
  if (youngGenerationTuned(execArgv, nodeOptions)) return [];
  for (const flag of AGENT_V8_FLAGS) setFlagsFromString(flag);
  return [...AGENT_V8_FLAGS];
}
