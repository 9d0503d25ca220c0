/** Totals over a run's trials: per mode, faults per kind, violations. */
import type { TrialResult } from './trial.js';

export interface ChaosSummary {
  readonly trialsPerMode: Record<string, number>;
  readonly faultsPerKind: Record<string, number>;
  readonly skippedFaults: number;
  readonly acks: number;
  readonly lostAsync: number;
  /** Fence guard stops over all trials, by why. */
  readonly guardFirings: Record<string, number>;
  readonly violations: readonly { seed: number; mode: string; violations: readonly string[] }[];
}

export function summarise(results: readonly TrialResult[]): ChaosSummary {
  const trialsPerMode: Record<string, number> = {};
  const faultsPerKind: Record<string, number> = {};
  let skippedFaults = 0;
  let acks = 0;
  let lostAsync = 0;
  const guardFirings: Record<string, number> = {};
  for (const r of results) {
    for (const [why, n] of Object.entries(r.guardFirings)) guardFirings[why] = (guardFirings[why] ?? 0) + n;
    trialsPerMode[r.mode] = (trialsPerMode[r.mode] ?? 0) + 1;
    for (const [k, n] of Object.entries(r.faults)) faultsPerKind[k] = (faultsPerKind[k] ?? 0) + (n ?? 0);
    skippedFaults += r.skippedFaults;
    acks += r.verdict.acks;
    if (r.mode === 'async') lostAsync += r.verdict.lostIds.length;
  }
  const violations = results.filter((r) => r.verdict.violations.length).map((r) => ({ seed: r.seed, mode: r.mode, violations: r.verdict.violations }));
  return { trialsPerMode, faultsPerKind, skippedFaults, acks, lostAsync, guardFirings, violations };
}
