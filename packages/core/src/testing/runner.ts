/**
 * Runs the kit's cases directly, outside any test runner's registration, and returns
 * one outcome per case. This is how the kit is itself tested: a deliberately broken
 * adapter must make a named case fail.
 */
import type { DcsCapabilities } from '../dcs/adapter.js';
import type { KitCase } from './case.js';
import { createKit } from './context.js';
import { ALL_CONFORMANCE_GROUPS, GROUPS } from './groups/index.js';
import { kitSettings, withTimeout } from './harness.js';
import type { ConformanceFactory, ConformanceOptions, ConformanceTarget } from './target.js';

export interface ConformanceResult {
  /** `group.slug`, stable across releases. */
  readonly id: string;
  readonly title: string;
  readonly passed: boolean;
  /** The failure's message when the case failed. */
  readonly error?: string;
  readonly durationMs: number;
}

export interface RunCasesOptions extends ConformanceOptions {
  /** A case that has not settled by then fails (a hung adapter call must not hang the run); default 60 s. */
  readonly caseTimeoutMs?: number;
}

export async function runConformanceCases(
  factory: ConformanceFactory,
  capabilities: DcsCapabilities,
  options: RunCasesOptions = {},
): Promise<ConformanceResult[]> {
  let target: ConformanceTarget | undefined;
  const { kit, closeClusters } = createKit(capabilities, kitSettings(capabilities, options), () => target);
  const cases: KitCase[] = [];
  for (const group of options.groups ?? ALL_CONFORMANCE_GROUPS) {
    GROUPS[group].register(kit, (id, title, run) => {
      if (!options.only || options.only.includes(id)) cases.push({ id, group, title, run });
    });
  }
  const results: ConformanceResult[] = [];
  target = await factory.setup();
  try {
    for (const c of cases) {
      const started = performance.now();
      let error: string | undefined;
      try {
        await withTimeout(c.run(), options.caseTimeoutMs ?? 60_000);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      await closeClusters();
      results.push({ id: c.id, title: c.title, passed: error === undefined, durationMs: performance.now() - started, ...(error !== undefined && { error }) });
    }
  } finally {
    await factory.teardown();
  }
  return results;
}

