/**
 * The fault schedule of one trial, a pure function of its seed: which fault, on which
 * target, when, for how long. Faults run one after another, each healed before the next
 * starts, and the last one heals before the trial's quiet period.
 */
import { seededRng } from './rng.js';

export const FAULT_KINDS = [
  'partition-from-etcd',
  'partition-from-nodes',
  'partition-both',
  'sigstop-agent',
  'sigkill-agent',
  'sigstop-postmaster',
  'sigkill-postmaster',
  'sigstop-guard',
  'sigkill-guard',
  'sigstop-etcd',
  'sigkill-etcd',
  'etcd-quorum-loss',
  'latency-dcs',
  'latency-replication',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Who a fault hits. `primary` is resolved when the fault starts (the node that then
 * holds the leader key): which node that is depends on the run, the choice does not.
 */
export type NodeTarget = 'primary' | number;

export interface PlannedFault {
  readonly kind: FaultKind;
  /** ms after the writers started. */
  readonly atMs: number;
  /** How long the fault lasts (for a kill: how long until the process is restarted). */
  readonly durationMs: number;
  /** A node (agents, postmasters, guards, partitions, latency) or an etcd member index. */
  readonly target: NodeTarget;
  /** Added one-way delay, for latency faults. */
  readonly latencyMs?: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  /** Length of the fault phase, ms. */
  readonly faultPhaseMs: number;
  readonly nodes: number;
  readonly etcdMembers: number;
}

const ETCD_FAULTS: ReadonlySet<FaultKind> = new Set(['sigstop-etcd', 'sigkill-etcd', 'etcd-quorum-loss']);

export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const rng = seededRng(options.seed);
  const faults: PlannedFault[] = [];
  let at = rng.int(1000, 4000);
  while (true) {
    const kind = rng.pick(FAULT_KINDS);
    // Bimodal: short faults the cluster should ride out, and long ones past the
    // leader key's TTL (20 s) that force a failover when they hit the primary.
    const durationMs = rng.next() < 0.45 ? rng.int(21_000, 32_000) : rng.int(1500, 10_000);
    if (at + durationMs > options.faultPhaseMs) break;
    const target: NodeTarget = ETCD_FAULTS.has(kind)
      ? rng.int(0, options.etcdMembers - 1)
      : rng.next() < 0.7
        ? 'primary'
        : rng.int(0, options.nodes - 1);
    const latencyMs = kind.startsWith('latency') ? rng.int(50, 1500) : undefined;
    faults.push({ kind, atMs: at, durationMs, target, ...(latencyMs !== undefined && { latencyMs }) });
    at += durationMs + rng.int(500, 4000);
  }
  return faults;
}
