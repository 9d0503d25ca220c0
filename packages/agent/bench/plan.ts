/**
 * What `pnpm bench` runs, in order, for a set of selected scenarios. The classic
 * scenarios share one three-node cluster per agent and timing; `fast`, `fleet` and
 * `soak` each start clusters of their own at their own profile.
 */
import { DEFAULT_PROFILE, FAST_PROFILE } from './fast-profile.js';
import { FAST, SLOW, type ScenarioName, type Timing } from './metrics.js';

export type StepKind = 'cluster' | 'fast' | 'fleet' | 'soak';

export interface Step {
  readonly kind: StepKind;
  readonly timing: Timing;
  /** The scenarios whose figures this step yields (a cluster step always includes `start`). */
  readonly scenarios: readonly ScenarioName[];
}

const FAILURES: readonly ScenarioName[] = ['switchover', 'postmaster-kill', 'host-loss'];

/**
 * Idle cost runs at both timings (loop_wait 10 and 1), before any failure. `GET /primary`
 * and the health-check tail do not depend on the timing, so they run once, on the
 * 30/10/10 cluster, whose agents run their loops meanwhile. The failure scenarios run at
 * both timings. The fast-profile rounds come next, then the fleet sweep (engines in this
 * process, no Postgres), and the soak last: its stress-ng load outlasts it in the load
 * average.
 */
const ALL: readonly Step[] = [
  { kind: 'cluster', timing: SLOW, scenarios: ['start', 'idle', 'get-primary', 'tail', ...FAILURES] },
  { kind: 'cluster', timing: FAST, scenarios: ['start', 'idle', ...FAILURES] },
  { kind: 'fast', timing: FAST_PROFILE, scenarios: ['fast'] },
  { kind: 'fleet', timing: DEFAULT_PROFILE, scenarios: ['fleet'] },
  { kind: 'soak', timing: FAST_PROFILE, scenarios: ['soak'] },
];

export function plan(selected: readonly ScenarioName[]): Step[] {
  return (
    ALL.filter((s) => s.scenarios.some((n) => selected.includes(n)))
      // Every cluster is started, so its start time is always measured and shown.
      .map((s) => ({ ...s, scenarios: s.scenarios.filter((n) => selected.includes(n) || (s.kind === 'cluster' && n === 'start')) }))
  );
}
