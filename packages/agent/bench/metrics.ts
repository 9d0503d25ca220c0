/**
 * The benchmark's figures: what each means, its target, and what Patroni 3.0.2
 * measured on a 2-core machine (where two figures are given: ttl/loop_wait/retry_timeout
 * 30/10/10, then 20/1/3).
 */
import type { ClusterTiming } from '../test/e2e/cluster.js';

export interface Timing extends ClusterTiming {
  readonly label: string;
}

export const SLOW: Timing = { label: '30/10/10', ttl: 30, loopWait: 10, retryTimeout: 10 };
export const FAST: Timing = { label: '20/1/3', ttl: 20, loopWait: 1, retryTimeout: 3 };

export interface Metric {
  readonly id: string;
  readonly label: string;
  /** Target as printed, and whether a value meets it. */
  readonly target: string;
  readonly met: (v: number) => boolean;
  readonly format: (v: number) => string;
  /**
   * What Patroni 3.0.2 measured in an earlier run, for runs without `--vs patroni`: one
   * figure, or one per timing (30/10/10, 20/1/3).
   */
  readonly issuePatroni: string | readonly [string, string];
  /**
   * The target is a multiple of Patroni's own figure in the same run (1 for `≤ Patroni`,
   * 0.5 for `≤ 0.5 × Patroni`): judged only with `--vs patroni`.
   */
  readonly relative?: number;
  /** Measured for pgwarden alone, even with `--vs patroni` (the soak and the fleet). */
  readonly pgwardenOnly?: boolean;
}

const s = (v: number): string => `${v.toFixed(2)} s`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const count = (v: number): string => String(v);

export const METRICS: readonly Metric[] = [
  { id: 'switchover-write', label: 'POST /switchover → new primary accepts a write', target: '≤ 0.6 s', met: (v) => v <= 0.6, format: s, issuePatroni: '1.6 s' },
  { id: 'write-gap', label: 'last write on old primary → first on new', target: '≤ 0.5 s', met: (v) => v <= 0.5, format: s, issuePatroni: '1.4 s' },
  { id: 'switchover-healthy', label: 'switchover → old primary streaming, healthy', target: '≤ 2 s', met: (v) => v <= 2, format: s, issuePatroni: ['13.0 s', '8.8 s'] },
  { id: 'host-loss', label: 'host loss → writable, after lease expiry', target: '≤ 0.3 s', met: (v) => v <= 0.3, format: s, issuePatroni: ['26.7 s from kill', '20.2 s from kill'] },
  { id: 'rejoin', label: 'killed host restarted → streaming', target: '≤ 3 s', met: (v) => v <= 3, format: s, issuePatroni: ['12.7 s', '5.3 s'] },
  { id: 'postmaster-kill', label: 'postmaster SIGKILLed → writable again', target: '≤ 1 s', met: (v) => v <= 1, format: s, issuePatroni: ['9.0 s', '3.0 s'] },
  { id: 'postmaster-kill-healthy', label: 'postmaster SIGKILLed → cluster healthy again', target: '≤ 2 s', met: (v) => v <= 2, format: s, issuePatroni: '-' },
  { id: 'start', label: 'start of 3 agents → 1 leader + 2 streaming', target: '≤ 4 s', met: (v) => v <= 4, format: s, issuePatroni: '9.8 s' },
  { id: 'get-primary-rps', label: 'GET /primary, new connection each: req/s', target: '≥ 5000/s', met: (v) => v >= 5000, format: (v) => `${Math.round(v)}/s`, issuePatroni: '1,200/s' },
  { id: 'get-primary-p99', label: 'GET /primary, new connection each: p99', target: '≤ 10 ms', met: (v) => v <= 10, format: (v) => `${v.toFixed(1)} ms`, issuePatroni: '120 ms' },
  { id: 'rss', label: 'agent RSS (largest of 3, idle)', target: '≤ 60 MB', met: (v) => v <= 60, format: (v) => `${v.toFixed(1)} MB`, issuePatroni: '44 MB' },
  { id: 'cpu', label: 'agent idle CPU (busiest of 3)', target: '≤ Patroni', met: () => true, relative: 1, format: (v) => `${v.toFixed(3)} %`, issuePatroni: ['0.05 %', '0.37 %'] },
  { id: 'pg-cpu', label: "Postgres CPU of the agent's own queries (busiest of 3, idle)", target: '≤ Patroni', met: () => true, relative: 1, format: (v) => `${v.toFixed(3)} %`, issuePatroni: '-' },
  { id: 'etcd-rps', label: 'etcd requests/s, idle 3-node cluster', target: '≤ 0.5 × Patroni', met: () => true, relative: 0.5, format: (v) => `${v.toFixed(2)}/s`, issuePatroni: ['0.35/s', '3.16/s'] },
  { id: 'tail-open500-p99', label: 'GET /health p99, 500 req/s, new connection each', target: '≤ 20 ms', met: (v) => v <= 20, format: ms, issuePatroni: '-' },
  { id: 'tail-ka16-p99', label: 'GET /health p99, 16 keep-alive connections (saturation)', target: '≤ Patroni', met: () => true, relative: 1, format: ms, issuePatroni: '-' },
  { id: 'tail-new16-p99', label: 'GET /health p99, 16 loops, new connection each (saturation)', target: '≤ Patroni', met: () => true, relative: 1, format: ms, issuePatroni: '-' },
  { id: 'fast-host-loss', label: 'fast profile: host loss → writable from the kill, median', target: '≤ 8 s', met: (v) => v <= 8, format: s, issuePatroni: '7.9 s' },
  { id: 'soak-leader-changes', label: 'soak: spurious leader changes (stress + DCS latency)', target: '0', met: (v) => v === 0, format: count, issuePatroni: '-', pgwardenOnly: true },
  { id: 'soak-leaderless', label: 'soak: polls that found no leader key', target: '0', met: (v) => v === 0, format: count, issuePatroni: '-', pgwardenOnly: true },
  { id: 'soak-fence', label: 'soak: fence actions (guard fired + fence warnings)', target: '0', met: (v) => v === 0, format: count, issuePatroni: '-', pgwardenOnly: true },
  { id: 'soak-exits', label: 'soak: agents that exited', target: '0', met: (v) => v === 0, format: count, issuePatroni: '-', pgwardenOnly: true },
  { id: 'fleet-rps', label: 'fleet: etcd requests/s per cluster, largest step', target: '≤ 1.2/s', met: (v) => v <= 1.2, format: (v) => `${v.toFixed(3)}/s`, issuePatroni: '-', pgwardenOnly: true },
  { id: 'fleet-p99', label: 'fleet: DCS call p99, largest step', target: '≤ 2500 ms', met: (v) => v <= 2500, format: ms, issuePatroni: '-', pgwardenOnly: true },
  // Infinity: the sweep ended without p99 passing retry_timeout/4 (the value carries its own text).
  { id: 'fleet-knee', label: 'fleet: clusters at which DCS p99 passes retry_timeout/4', target: 'beyond the sweep', met: (v) => v === Infinity, format: (v) => `${v} clusters`, issuePatroni: '-', pgwardenOnly: true },
];

/** Groups of metrics measured by one scenario; `--only` takes these names. */
export const SCENARIOS = {
  start: ['start'],
  switchover: ['switchover-write', 'write-gap', 'switchover-healthy'],
  'postmaster-kill': ['postmaster-kill', 'postmaster-kill-healthy'],
  'host-loss': ['host-loss', 'rejoin'],
  'get-primary': ['get-primary-rps', 'get-primary-p99'],
  idle: ['rss', 'cpu', 'pg-cpu', 'etcd-rps'],
  tail: ['tail-open500-p99', 'tail-ka16-p99', 'tail-new16-p99'],
  // Each of these starts clusters of its own (fast-profile-measure.ts, soak-run.ts, fleet-run.ts).
  fast: ['fast-host-loss'],
  fleet: ['fleet-rps', 'fleet-p99', 'fleet-knee'],
  soak: ['soak-leader-changes', 'soak-leaderless', 'soak-fence', 'soak-exits'],
} as const;

/** The earlier Patroni figure for a metric at a timing. */
export function issuePatroniAt(metric: Metric, timing: Timing): string {
  if (typeof metric.issuePatroni === 'string') return metric.issuePatroni;
  return timing === SLOW ? metric.issuePatroni[0] : metric.issuePatroni[1];
}

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
