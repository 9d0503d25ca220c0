/**
 * The kit tested by its own failures: each deliberately broken adapter (one broken
 * rule over MemoryDcs) must fail the kit case that states that rule, while the same
 * cases pass against the healthy MemoryDcs. Prints the table rule → failing case.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDcsServer } from '../../src/index.js';
import { memoryDcsModule, memoryServerHandle, moduleConformance, runConformanceCases, type ConformanceResult } from '../../src/testing/index.js';
import { BROKEN_ADAPTERS } from './broken-adapters/index.js';

const CASES = [...new Set(Object.values(BROKEN_ADAPTERS).map((b) => b.caughtBy))];
const table: { name: string; rule: string; caughtBy: string; error: string }[] = [];

function runCases(module: ReturnType<typeof memoryDcsModule>, server: MemoryDcsServer, only: readonly string[]): Promise<ConformanceResult[]> {
  const { factory, capabilities } = moduleConformance({ module, server: memoryServerHandle(server) });
  return runConformanceCases(factory, capabilities, { only, caseTimeoutMs: 30_000 });
}

describe('the conformance kit against deliberately broken adapters', () => {
  it.concurrent('passes every case below against the healthy MemoryDcs', async () => {
    const server = new MemoryDcsServer();
    const results = await runCases(memoryDcsModule(server), server, CASES);
    expect(results.map((r) => r.id).sort()).toEqual([...CASES].sort());
    for (const r of results) expect(r.passed, `${r.id}: ${r.error}`).toBe(true);
  });

  for (const [name, broken] of Object.entries(BROKEN_ADAPTERS)) {
    // Concurrent: each case mostly waits on its own server's timers (lease expiry, missing events).
    it.concurrent(`fails '${broken.caughtBy}' for an adapter whose ${name}`, async () => {
      const server = new MemoryDcsServer();
      const [result] = await runCases(broken.module(server), server, [broken.caughtBy]);
      expect(result, `no kit case '${broken.caughtBy}'`).toBeDefined();
      expect(result!.passed, `the kit passed an adapter whose ${name} (${broken.rule})`).toBe(false);
      table.push({ name, rule: broken.rule, caughtBy: broken.caughtBy, error: (result!.error ?? '').split('\n')[0]!.slice(0, 100) });
    });
  }

  afterAll(() => {
    const lines = [...table].sort((a, b) => a.name.localeCompare(b.name)).map((t) => `| ${t.name} | ${t.rule} | \`${t.caughtBy}\` | ${t.error.replace(/\|/g, '\\|')} |`);
    console.log(['| broken adapter | rule | kit case that fails | its failure |', '|---|---|---|---|', ...lines].join('\n'));
  });
});
