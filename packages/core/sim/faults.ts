/**
 * Fault injection: what can go wrong, how to apply and heal it, and how to draw a random
 * schedule from a seed. A schedule is plain JSON, printed on failure and accepted back
 * for an exact replay.
 */
import type { Random } from '../src/time/clock.js';
import { pick, randomInt } from './random.js';
import type { World } from './world.js';

export type Fault =
  /** kill -9 of the postmaster (or an OOM kill); the agent has to notice and act. */
  | { readonly kind: 'crash-postgres'; readonly node: string }
  /** SIGKILL of the agent; restarted `forMs` later. Its lock is not released. */
  | { readonly kind: 'kill-agent'; readonly node: string; readonly forMs: number }
  /** SIGSTOP of the agent for `forMs`; Postgres keeps running and accepting writes. */
  | { readonly kind: 'pause-agent'; readonly node: string; readonly forMs: number }
  /** The whole DCS fails: `down` refuses at once, `frozen` hangs until deadlines. */
  | { readonly kind: 'dcs-outage'; readonly mode: 'down' | 'frozen'; readonly forMs: number }
  /** One node cannot reach the DCS (its calls hang). */
  | { readonly kind: 'partition-dcs'; readonly node: string; readonly forMs: number }
  /** Two nodes cannot reach each other (replication and REST). */
  | { readonly kind: 'partition-nodes'; readonly a: string; readonly b: string; readonly forMs: number }
  /** One node is cut from the DCS and from every other node. */
  | { readonly kind: 'isolate-node'; readonly node: string; readonly forMs: number }
  /** Disk-bound Postgres work on a node takes `factor` times longer. */
  | { readonly kind: 'slow-disk'; readonly node: string; readonly factor: number; readonly forMs: number };

export interface ScheduledFault {
  /** Virtual ms from the start of the run. */
  readonly at: number;
  readonly fault: Fault;
}

export type FaultSchedule = readonly ScheduledFault[];

export type FaultKind = Fault['kind'];

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'crash-postgres',
  'kill-agent',
  'pause-agent',
  'dcs-outage',
  'partition-dcs',
  'partition-nodes',
  'isolate-node',
  'slow-disk',
];

export function faultDuration(f: Fault): number {
  return f.kind === 'crash-postgres' ? 0 : f.forMs;
}

export function describeFault(f: Fault): string {
  const d = f.kind === 'crash-postgres' ? '' : ` for ${f.forMs / 1000}s`;
  switch (f.kind) {
    case 'crash-postgres':
    case 'kill-agent':
    case 'pause-agent':
    case 'partition-dcs':
    case 'isolate-node':
      return `${f.kind} ${f.node}${d}`;
    case 'dcs-outage':
      return `dcs-outage ${f.mode}${d}`;
    case 'partition-nodes':
      return `partition-nodes ${f.a}<->${f.b}${d}`;
    case 'slow-disk':
      return `slow-disk ${f.node} x${f.factor}${d}`;
  }
}

/**
 * A fault pinned to an instant rather than a time: the first time a node logs a line
 * containing `onLine` (its agent's lines, or `pg: …` for its Postgres model, e.g.
 * `pg: pg_ctl promote`, `pg: promoted`), its agent is paused for `forMs`. Nodes in
 * `except` are ignored.
 */
export interface AgentPauseTrigger {
  readonly onLine: string;
  readonly forMs: number;
  readonly except?: readonly string[];
}

export function armTriggers(world: World, triggers: readonly AgentPauseTrigger[]): void {
  for (const t of triggers) {
    const off = world.log.onLine((line) => {
      if (!line.message.includes(t.onLine) || t.except?.includes(line.source)) return;
      if (!world.nodes.some((n) => n.name === line.source)) return;
      off();
      injectFault(world, { kind: 'pause-agent', node: line.source, forMs: t.forMs });
    });
  }
}

/** Schedules every fault of `schedule` (begin and heal) on the world clock. */
export function scheduleFaults(world: World, schedule: FaultSchedule): void {
  for (const { at, fault } of schedule) {
    world.clock.setTimer(at - world.clock.now(), () => injectFault(world, fault));
  }
}

/** Begins a fault now and schedules its healing. */
export function injectFault(world: World, fault: Fault): void {
  world.log.add('fault', `begin ${describeFault(fault)}`);
  const heal = begin(world, fault);
  world.activeFaults++;
  world.clock.setTimer(faultDuration(fault), () => {
    heal();
    world.activeFaults--;
    world.lastHealAt = world.clock.now();
    world.log.add('fault', `healed ${describeFault(fault)}`);
  });
}

function begin(world: World, f: Fault): () => void {
  switch (f.kind) {
    case 'crash-postgres': {
      world.node(f.node).pg.crash('fault injection');
      return () => {};
    }
    case 'kill-agent': {
      const node = world.node(f.node);
      node.killDepth++;
      if (node.process) world.killAgent(node);
      return () => {
        if (--node.killDepth === 0 && !node.process) world.startAgent(node);
      };
    }
    case 'pause-agent': {
      const node = world.node(f.node);
      const proc = world.pauseAgent(node);
      return () => world.resumeAgent(node, proc);
    }
    case 'dcs-outage': {
      world.pushDcsMode(f.mode);
      return () => world.popDcsMode(f.mode);
    }
    case 'partition-dcs': {
      const node = world.node(f.node);
      world.cutFromDcs(node, true);
      return () => world.cutFromDcs(node, false);
    }
    case 'partition-nodes': {
      world.network.cut(f.a, f.b);
      return () => world.network.heal(f.a, f.b);
    }
    case 'isolate-node': {
      const node = world.node(f.node);
      const others = world.nodes.filter((n) => n !== node);
      world.cutFromDcs(node, true);
      for (const o of others) world.network.cut(node.name, o.name);
      return () => {
        world.cutFromDcs(node, false);
        for (const o of others) world.network.heal(node.name, o.name);
      };
    }
    case 'slow-disk': {
      const node = world.node(f.node);
      world.setSlow(node, f.factor, true);
      return () => world.setSlow(node, f.factor, false);
    }
  }
}

export interface ScheduleOptions {
  readonly nodes: readonly string[];
  /** Faults begin in [startMs, endMs] and are all healed by endMs. */
  readonly startMs: number;
  readonly endMs: number;
  readonly minFaults: number;
  readonly maxFaults: number;
  readonly kinds?: readonly FaultKind[];
  /** Longest a single fault lasts. */
  readonly maxFaultMs: number;
}

/** A random schedule; the same `random` state gives the same schedule. */
export function generateSchedule(random: Random, opts: ScheduleOptions): ScheduledFault[] {
  const kinds = opts.kinds ?? ALL_FAULT_KINDS;
  const count = randomInt(random, opts.minFaults, opts.maxFaults);
  const out: ScheduledFault[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(random, kinds);
    const at = randomInt(random, opts.startMs, opts.endMs - 1000);
    const forMs = Math.min(randomInt(random, 1000, opts.maxFaultMs), opts.endMs - at);
    const node = pick(random, opts.nodes);
    let fault: Fault;
    switch (kind) {
      case 'crash-postgres':
        fault = { kind, node };
        break;
      case 'dcs-outage':
        fault = { kind, mode: random() < 0.5 ? 'down' : 'frozen', forMs };
        break;
      case 'partition-nodes': {
        const b = pick(random, opts.nodes.filter((n) => n !== node));
        fault = { kind, a: node, b, forMs };
        break;
      }
      case 'slow-disk':
        fault = { kind, node, factor: pick(random, [3, 10, 30]), forMs };
        break;
      default:
        fault = { kind, node, forMs };
    }
    out.push({ at, fault });
  }
  return out.sort((x, y) => x.at - y.at);
}
