/**
 * The `pgwarden` executable's start-up settings (src/startup.ts), checked on the built
 * program in a child process: the young generation stays at its initial size unless
 * NODE_OPTIONS sizes it, and the Postgres client is loaded without Node's fetch
 * implementation (undici), which the agent never uses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyIdleHeapFlags, HOLD_OPTIMIZER, IDLE_HEAP_FLAGS, RELEASE_OPTIMIZER, releaseOptimizer } from '../../src/startup/idle-heap.js';
import { youngGenerationTuned } from '../../src/startup/v8-flags.js';

const agentDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Loaded before the program (`--import`): at exit, after the program ran, it allocates
 * 60 MB of short-lived objects (enough for V8 to grow an unrestricted young generation
 * to its maximum) and prints the young generation's committed size and whether undici
 * was ever loaded.
 */
const PROBE = `data:text/javascript,${encodeURIComponent(`
import { getHeapSpaceStatistics } from 'node:v8';
process.on('exit', () => {
  let keep = [];
  for (let round = 0; round < 30; round++) {
    keep = [];
    for (let i = 0; i < 50000; i++) keep.push({ i, s: 'x' + i });
  }
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
  const undici = process.moduleLoadList.some((m) => m.includes('undici'));
  process.stderr.write('PROBE ' + JSON.stringify({ newSpaceMb: newSpace / 1048576, undici, kept: keep.length }) + '\\n');
});`)}`;

function runVersion(nodeOptions?: string): { newSpaceMb: number; undici: boolean } {
  if (!existsSync(join(agentDir, 'dist', 'main.js'))) {
    throw new Error(`${join(agentDir, 'dist')} is not built; run: pnpm turbo run build --filter=@pgwarden/agent...`);
  }
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  if (nodeOptions) env['NODE_OPTIONS'] = nodeOptions;
  const r = spawnSync(process.execPath, ['--import', PROBE, join(agentDir, 'bin', 'pgwarden.js'), '--version'], { env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^pgwarden /);
  const line = r.stderr.split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`no probe output; stderr: ${r.stderr}`);
  return JSON.parse(line.slice('PROBE '.length)) as { newSpaceMb: number; undici: boolean };
}

describe('pgwarden start-up settings', () => {
  it('keeps the young generation at its initial size under a burst of allocation', () => {
    expect(runVersion().newSpaceMb).toBeLessThanOrEqual(2);
  });

  it('leaves the young generation to V8 when NODE_OPTIONS sizes it', () => {
    expect(runVersion('--max-semi-space-size=16').newSpaceMb).toBeGreaterThan(4);
  });

  it('loads the Postgres client without loading undici', () => {
    expect(runVersion().undici).toBe(false);
  });

  it('recognises the young-generation flags in either spelling, on the command line or in NODE_OPTIONS', () => {
    expect(youngGenerationTuned([], '')).toBe(false);
    expect(youngGenerationTuned(['--max-old-space-size=512'], '--enable-source-maps')).toBe(false);
    expect(youngGenerationTuned(['--max-semi-space-size=4'], '')).toBe(true);
    expect(youngGenerationTuned([], '--enable-source-maps --max_semi_space_size=4')).toBe(true);
    expect(youngGenerationTuned(['--semi-space-growth-factor', '2'], '')).toBe(true);
    expect(youngGenerationTuned(['--min-semi-space-size=2'], '')).toBe(true);
  });

  it('sets the idle-heap flags except those the command line sets itself', () => {
    expect(applyIdleHeapFlags(['--no-optimize-for-size', '--gc_memory_reducer_start_delay_ms', '8000'], '')).toEqual([HOLD_OPTIMIZER]);
    expect(applyIdleHeapFlags(['--gc-memory-reducer-start-delay-ms=8000'], '')).toEqual(['--optimize-for-size', HOLD_OPTIMIZER]);
    expect(applyIdleHeapFlags(['--max-old-space-size=512'], '')).toEqual(IDLE_HEAP_FLAGS);
    // --optimize-for-size also holds the young generation small: not when the user sizes it.
    expect(applyIdleHeapFlags([], '--max-semi-space-size=16')).toEqual(['--gc-memory-reducer-start-delay-ms=1000', HOLD_OPTIMIZER]);
  });

  it('leaves the optimizing compiler alone when the command line decides about it, and releases it once', () => {
    for (const given of [['--turbofan'], ['--no-turbofan'], ['--jitless'], ['--max-opt=1']]) {
      expect(applyIdleHeapFlags(['--no-optimize-for-size', '--gc-memory-reducer-start-delay-ms=8000', ...given], ''), given[0]).toEqual([]);
    }
    releaseOptimizer(() => undefined); // whatever the test before held
    expect(releaseOptimizer(() => undefined)).toBe(false); // not held: nothing to release
    expect(applyIdleHeapFlags(['--no-optimize-for-size', '--gc-memory-reducer-start-delay-ms=8000'], '')).toEqual([HOLD_OPTIMIZER]);
    const set: string[] = [];
    expect(releaseOptimizer((f) => void set.push(f))).toBe(true);
    expect(releaseOptimizer((f) => void set.push(f))).toBe(false);
    expect(set).toEqual([RELEASE_OPTIMIZER]);
  });
});
