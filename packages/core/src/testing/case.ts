/**
 * One test of the kit, independent of the test runner: the same cases are registered
 * as vitest tests by describeDcsConformance and run directly by runConformanceCases
 * (which returns per-test outcomes, so a test can assert that the kit *fails* a broken
 * adapter).
 */
import type { KitContext } from './context.js';
import type { ConformanceGroup } from './target.js';

/** Declares one case: a stable id (`group.slug`), a title that states the rule, the body. */
export type KitTest = (id: string, title: string, run: () => Promise<void>) => void;

export type GroupRegistrar = (kit: KitContext, test: KitTest) => void;

export interface KitCase {
  readonly id: string;
  readonly group: ConformanceGroup;
  readonly title: string;
  run(): Promise<void>;
}
