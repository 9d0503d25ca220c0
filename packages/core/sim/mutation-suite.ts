/**
 * The mutation suite: "a simulation that cannot catch a planted bug proves
 * nothing". Each planted bug (planted-bugs.ts) runs over seeds 1, 2, … of a setup whose
 * faults and modes can expose it, until a run reports one of the invariants that witness
 * that bug; the same seed must then be clean with the bug removed, so the finding is the
 * bug's and not the setup's. A bug that survives its budget fails the suite.
 *
 * test/sim/mutation-suite.test.ts runs it with the CI budget; `node sim/dist/cli.js
 * --mutations [N]` with a bigger one (docs/simulation.md, "The mutation suite").
 */
import { engineAgent } from './agents/engine-agent.js';
import type { FaultKind } from './faults.js';
import type { InvariantName } from './invariants.js';
import type { PlantedBug } from './planted-bugs.js';
import { DEFAULT_MODELS } from './models.js';
import { quorumEngineAgent } from './quorum-check.js';
import { DEFAULT_BURSTS } from './workload.js';
import { runSimulation, type SimulationOptions } from './runner.js';
import { STANDBY_RUN, STANDBY_RUN_MS } from './standby-phase.js';

export interface Mutation {
  /** The run for seed `seed`, with the bug planted or (undefined) the engine as it ships. */
  readonly setup: (plant: PlantedBug | undefined) => Omit<SimulationOptions, 'seed'>;
  /** Violations that witness this bug (anything else is reported, not counted as caught). */
  readonly witnesses: readonly InvariantName[];
  /** Seeds tried in CI (1..ciBudget): several times the first catching seed measured (docs/simulation.md). */
  readonly ciBudget: number;
}

const TTL_MS = 30_000;
const strict = { synchronous_mode_strict: true };
const faults = (kinds: readonly FaultKind[], more: { minFaults?: number; maxFaults?: number; maxFaultMs?: number; warmupMs?: number } = {}) => ({ kinds, ...more });
const lockLoss = ['two-writers', 'writer-past-lease', 'writable-past-server-lease'] as const;
const syncLoss = ['lost-commit', 'strict-sync-ack'] as const;
const quorumLoss = ['lost-commit', 'quorum-ack', 'quorum-sync-unsafe'] as const;

export const MUTATIONS: Readonly<Record<PlantedBug, Mutation>> = {
  // With the fence on: it kills the primary at its deadline, although the agent had just
  // been told `lost` by the DCS; that is the fence doing the agent's job.
  'skip-demote-on-lost': {
    setup: (plant) => ({ agent: engineAgent({ plant }), durationMs: 200_000, faults: faults(['kill-agent'], { maxFaultMs: 15_000 }) }),
    witnesses: ['fence-kill-of-live-agent', ...lockLoss],
    ciBudget: 15,
  },
  // Without the fence: it would kill the primary at its deadline and hide the missing step.
  'keep-primary-when-dcs-unreachable': {
    setup: (plant) => ({ agent: engineAgent({ fence: false, plant }), durationMs: 200_000, faults: faults(['dcs-outage', 'partition-dcs', 'isolate-node']) }),
    witnesses: [...lockLoss],
    ciBudget: 10,
  },
  'skip-sync-filter': {
    setup: (plant) => ({
      agent: engineAgent({ plant, dcsConfig: strict }),
      synchronousMode: true,
      durationMs: 200_000,
      faults: faults(['isolate-node', 'partition-nodes', 'slow-disk', 'crash-postgres'], { minFaults: 4, maxFaults: 8 }),
    }),
    witnesses: ['race-winner-not-in-sync', ...syncLoss],
    ciBudget: 40,
  },
  'lowest-wal-wins': {
    // A replica cut from the primary lags; the primary's agent dies, its lock expires, and the race is on.
    setup: (plant) => ({ agent: engineAgent({ plant }), durationMs: 200_000, faults: faults(['partition-nodes', 'kill-agent'], { minFaults: 4, maxFaults: 8 }) }),
    witnesses: ['race-winner-behind'],
    ciBudget: 20,
  },
  // The default maximum_lag_on_failover (1 MB): the write bursts and the standbys' finite
  // bandwidth make real lag. Two nodes, so that no better replica stands in the lagging one's way.
  'ignore-max-lag-on-failover': {
    setup: (plant) => ({
      agent: engineAgent({ plant }),
      nodes: ['node1', 'node2'],
      durationMs: 200_000,
      faults: faults(['partition-nodes', 'isolate-node', 'crash-postgres', 'kill-agent'], { minFaults: 3, maxFaults: 6 }),
    }),
    witnesses: ['race-winner-lagging', 'async-loss-bound'],
    ciBudget: 30,
  },
  'strict-forgets-star': {
    setup: (plant) => ({
      agent: engineAgent({ plant, dcsConfig: strict }),
      synchronousMode: true,
      durationMs: 200_000,
      faults: faults(['isolate-node', 'partition-nodes', 'crash-postgres', 'kill-agent']),
    }),
    witnesses: [...syncLoss],
    ciBudget: 10,
  },
  // Latency spikes and write bursts from the first instant: a slow DCS answer during the
  // bootstrap keeps the new primary writable for seconds before its first cycle as leader.
  'strict-bootstrap-without-star': {
    setup: (plant) => ({
      agent: engineAgent({ plant, dcsConfig: strict }),
      synchronousMode: true,
      durationMs: 180_000,
      faults: faults(['crash-postgres', 'kill-agent'], { warmupMs: 0 }),
      models: { ...DEFAULT_MODELS, bursts: { ...DEFAULT_BURSTS, firstAfterMs: 0 } },
    }),
    witnesses: ['strict-sync-ack'],
    ciBudget: 20,
  },
  // The new primary's agent frozen for 15 s (less than the lease) once it is writable, so
  // that its first sync pass, which would repair /sync, comes after standbys confirm commits.
  'promote-before-sync': {
    setup: (plant) => ({
      agent: engineAgent({ plant, dcsConfig: strict }),
      synchronousMode: true,
      durationMs: 200_000,
      faults: faults(['crash-postgres', 'kill-agent', 'isolate-node']),
      triggers: [{ onLine: 'pg: promoted', forMs: 15_000 }],
    }),
    witnesses: [...syncLoss],
    ciBudget: 15,
  },
  // The new primary's agent frozen at its first writable instant for ttl + 15 s: only a
  // guard armed before the promotion stops it (test/sim/pinned-instants.test.ts).
  'late-guard-arm': {
    setup: (plant) => ({
      agent: engineAgent({ plant }),
      durationMs: 200_000,
      faults: faults(['kill-agent', 'crash-postgres', 'isolate-node']),
      triggers: [{ onLine: 'pg: promoted', forMs: TTL_MS + 15_000 }],
    }),
    witnesses: [...lockLoss],
    ciBudget: 15,
  },
  // Quorum commit: a primary lost while a standby is cut off gives a lagging voter the race.
  'quorum-promote-without-votes': {
    setup: (plant) => ({
      agent: quorumEngineAgent({ plant }),
      synchronousMode: true,
      durationMs: 200_000,
      faults: faults(['isolate-node', 'partition-nodes', 'crash-postgres', 'kill-agent'], { minFaults: 3, maxFaults: 6 }),
    }),
    witnesses: [...quorumLoss],
    ciBudget: 20,
  },
  // Quorum commit: caught at the first /sync write whose quorum a lagging voter breaks.
  'quorum-lowered-too-far': {
    setup: (plant) => ({ agent: quorumEngineAgent({ plant }), synchronousMode: true, durationMs: 200_000, faults: faults(['crash-postgres', 'kill-agent']) }),
    witnesses: [...quorumLoss],
    ciBudget: 10,
  },
  // §1.16: /config makes the cluster a standby cluster for a while (standby-phase.ts).
  'standby-keeps-writing': {
    setup: (plant) => ({ agent: engineAgent({ plant }), durationMs: STANDBY_RUN_MS, standby: STANDBY_RUN, faults: faults(['kill-agent', 'crash-postgres']) }),
    witnesses: ['standby-writer'],
    ciBudget: 3,
  },
};

export interface MutationOutcome {
  readonly bug: PlantedBug;
  /** The first seed whose run reported a witness, or null when the bug survived. */
  readonly seed: number | null;
  readonly invariant: InvariantName | null;
  readonly message: string | null;
  /** Seeds run with the bug planted. */
  readonly runs: number;
  /** Of those, how many a witness caught (1 unless `all`). */
  readonly caught: number;
  /** Violations of other invariants met on the way (seed:invariant), which do not count. */
  readonly others: readonly string[];
  /** The first catching seed is clean without the bug (null when none was found). */
  readonly cleanWithout: boolean | null;
  readonly wallMs: number;
}

/**
 * Seeds 1..budget with the bug planted, stopping at the first catch (CI) or, with `all`,
 * running every seed to measure how often the bug is caught (the CLI's bigger budget).
 */
export async function runMutation(bug: PlantedBug, budget: number = MUTATIONS[bug].ciBudget, all = false): Promise<MutationOutcome> {
  const m = MUTATIONS[bug];
  const started = performance.now(); // wall time, only for the report
  const others: string[] = [];
  let first: { seed: number; invariant: InvariantName; message: string; clean: boolean } | null = null;
  let caught = 0;
  let runs = 0;
  for (let seed = 1; seed <= budget && (all || !first); seed++) {
    runs++;
    const r = await runSimulation({ seed, ...m.setup(bug) });
    const v = r.violations[0];
    if (!v) continue;
    if (!m.witnesses.includes(v.invariant)) {
      others.push(`${seed}:${v.invariant}`);
      continue;
    }
    caught++;
    if (!first) first = { seed, invariant: v.invariant, message: v.message, clean: (await runSimulation({ seed, ...m.setup(undefined) })).ok };
  }
  const wallMs = performance.now() - started;
  return { bug, seed: first?.seed ?? null, invariant: first?.invariant ?? null, message: first?.message ?? null, runs, caught, others, cleanWithout: first?.clean ?? null, wallMs };
}

/** The table: bug → first seed that caught it → invariant (and the cost). */
export function formatMutationTable(outcomes: readonly MutationOutcome[]): string[] {
  const lines = ['| planted bug | first seed that caught it | invariant | caught / seeds run | wall s | same seed without the bug |', '|---|---|---|---|---|---|'];
  for (const o of outcomes) {
    const clean = o.cleanWithout === null ? '—' : o.cleanWithout ? 'clean' : 'FAILS too';
    lines.push(`| ${o.bug} | ${o.seed ?? 'SURVIVED'} | ${o.invariant ?? '—'} | ${o.caught}/${o.runs} | ${(o.wallMs / 1000).toFixed(1)} | ${clean} |`);
  }
  return lines;
}
