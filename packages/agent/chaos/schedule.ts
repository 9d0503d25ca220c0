/**
 * The fault schedule of one trial, a pure function of its seed: which fault, on which
 * target, when, for how long. Mostly faults run one after another, each healed before
 * the next starts; about one in four is joined by a second fault of another channel
 * (network, process, etcd, latency, clock) while it lasts, so at most two are active at
 * once. The last one heals before the trial's quiet period.
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
  'clock-jump',
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
  /** How far the agent's wall clock jumps (negative: backwards), for clock jumps. */
  readonly clockJumpSeconds?: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  /** Length of the fault phase, ms. */
  readonly faultPhaseMs: number;
  readonly nodes: number;
  readonly etcdMembers: number;
}

const ETCD_FAULTS: ReadonlySet<FaultKind> = new Set(['sigstop-etcd', 'sigkill-etcd', 'etcd-quorum-loss']);

/**
 * Faults of one channel act on the same things (a node's firewall table and link, its
 * processes, the etcd members, the proxies' delays, the clock file), so two faults that
 * overlap always come from different channels: neither heal undoes the other.
 */
export function faultChannel(kind: FaultKind): 'network' | 'process' | 'etcd' | 'latency' | 'clock' {
  if (kind.startsWith('partition')) return 'network';
  if (ETCD_FAULTS.has(kind)) return 'etcd';
  if (kind.startsWith('latency')) return 'latency';
  if (kind === 'clock-jump') return 'clock';
  return 'process';
}

/** The chance that a fault of at least OVERLAP_MIN_MS is joined by a second one. */
const OVERLAP_CHANCE = 0.25;
const OVERLAP_MIN_MS = 4000;

export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const rng = seededRng(options.seed);
  const faults: PlannedFault[] = [];
  let at = rng.int(1000, 4000);
  // The fault the next one starts inside of, when an overlap was drawn.
  let joining: PlannedFault | null = null;
  while (true) {
    const kinds = joining ? FAULT_KINDS.filter((k) => faultChannel(k) !== faultChannel(joining!.kind)) : FAULT_KINDS;
    const kind = rng.pick(kinds);
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
    // NTP steps of seconds to a VM resumed hours later, either way.
    const clockJumpSeconds = kind === 'clock-jump' ? (rng.next() < 0.5 ? -1 : 1) * rng.int(5, 7200) : undefined;
    const fault: PlannedFault = {
      kind,
      atMs: at,
      durationMs,
      target,
      ...(latencyMs !== undefined && { latencyMs }),
      ...(clockJumpSeconds !== undefined && { clockJumpSeconds }),
    };
    faults.push(fault);
    const end = at + durationMs;
    if (joining === null && durationMs >= OVERLAP_MIN_MS && rng.next() < OVERLAP_CHANCE) {
      joining = fault;
      at = rng.int(at + 1000, end - 1000);
    } else {
      at = Math.max(end, joining ? joining.atMs + joining.durationMs : 0) + rng.int(500, 4000);
      joining = null;
    }
  }
  return faults;
}
