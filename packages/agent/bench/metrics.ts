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
  /** The target is Patroni's own figure in the same run (`≤ Patroni`): judged only with `--vs patroni`. */
  readonly relative?: boolean;
}

const s = (v: number): string => `${v.toFixed(2)} s`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;

export const METRICS: readonly Metric[] = [
  { id: 'switchover-write', label: 'POST /switchover → new primary accepts a write', target: '≤ 0.6 s', met: (v) => v <= 0.6, format: s, issuePatroni: '1.6 s' },
  { id: 'write-gap', label: 'last write on old primary → first on new', target: '≤ 0.5 s', met: (v) => v <= 0.5, format: s, issuePatroni: '1.4 s' },
  { id: 'switchover-healthy', label: 'switchover → old primary streaming, healthy', target: '≤ 3 s', met: (v) => v <= 3, format: s, issuePatroni: ['13.0 s', '8.8 s'] },
  { id: 'host-loss', label: 'host loss → writable, after lease expiry', target: '≤ 0.3 s', met: (v) => v <= 0.3, format: s, issuePatroni: ['26.7 s from kill', '20.2 s from kill'] },
  { id: 'rejoin', label: 'killed host restarted → streaming', target: '≤ 3 s', met: (v) => v <= 3, format: s, issuePatroni: ['12.7 s', '5.3 s'] },
  { id: 'postmaster-kill', label: 'postmaster SIGKILLed → writable again', target: '≤ 1 s', met: (v) => v <= 1, format: s, issuePatroni: ['9.0 s', '3.0 s'] },
  { id: 'start', label: 'start of 3 agents → 1 leader + 2 streaming', target: '≤ 4 s', met: (v) => v <= 4, format: s, issuePatroni: '9.8 s' },
  { id: 'get-primary-rps', label: 'GET /primary, new connection each: req/s', target: '≥ 5000/s', met: (v) => v >= 5000, format: (v) => `${Math.round(v)}/s`, issuePatroni: '1,200/s' },
  { id: 'get-primary-p99', label: 'GET /primary, new connection each: p99', target: '≤ 10 ms', met: (v) => v <= 10, format: (v) => `${v.toFixed(1)} ms`, issuePatroni: '120 ms' },
  { id: 'rss', label: 'agent RSS (largest of 3, idle)', target: '≤ 59 MB', met: (v) => v <= 59, format: (v) => `${v.toFixed(1)} MB`, issuePatroni: '59 MB' },
  { id: 'cpu', label: 'agent idle CPU (busiest of 3)', target: '≤ 0.1 %', met: (v) => v <= 0.1, format: (v) => `${v.toFixed(3)} %`, issuePatroni: '0.03 %' },
  { id: 'pg-cpu', label: "Postgres CPU of the agent's own queries (busiest of 3, idle)", target: '≤ Patroni', met: () => true, relative: true, format: (v) => `${v.toFixed(3)} %`, issuePatroni: '-' },
  { id: 'etcd-rps', label: 'etcd requests/s, idle 3-node cluster', target: '≤ 0.2/s', met: (v) => v <= 0.2, format: (v) => `${v.toFixed(2)}/s`, issuePatroni: '0.35/s' },
  { id: 'tail-open500-p99', label: 'GET /health p99, 500 req/s, new connection each', target: '≤ 20 ms', met: (v) => v <= 20, format: ms, issuePatroni: '-' },
  { id: 'tail-ka16-p99', label: 'GET /health p99, 16 keep-alive connections (saturation)', target: '≤ Patroni', met: () => true, relative: true, format: ms, issuePatroni: '-' },
  { id: 'tail-new16-p99', label: 'GET /health p99, 16 loops, new connection each (saturation)', target: '≤ Patroni', met: () => true, relative: true, format: ms, issuePatroni: '-' },
];

/** Groups of metrics measured by one scenario; `--only` takes these names. */
export const SCENARIOS = {
  start: ['start'],
  switchover: ['switchover-write', 'write-gap', 'switchover-healthy'],
  'postmaster-kill': ['postmaster-kill'],
  'host-loss': ['host-loss', 'rejoin'],
  'get-primary': ['get-primary-rps', 'get-primary-p99'],
  idle: ['rss', 'cpu', 'pg-cpu', 'etcd-rps'],
  tail: ['tail-open500-p99', 'tail-ka16-p99', 'tail-new16-p99'],
} as const;

/** The earlier Patroni figure for a metric at a timing. */
export function issuePatroniAt(metric: Metric, timing: Timing): string {
  if (typeof metric.issuePatroni === 'string') return metric.issuePatroni;
  return timing === SLOW ? metric.issuePatroni[0] : metric.issuePatroni[1];
}

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
