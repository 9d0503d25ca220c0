/**
 * The shared world: N nodes (a Postgres model, an agent process, a fence, a lock
 * recorder each), one MemoryDcsServer, the network, the workload and the event log, all
 * on one SimClock. `runUntil` moves time from one timer to the next and calls the
 * step hooks (the invariants) after each instant, so a violation is caught at the first
 * instant it exists.
 */
import { DecodeMemo } from '../src/dcs/codec/decode-memo.js';
import { Dcs } from '../src/dcs/dcs.js';
import { KeyLayout } from '../src/dcs/keys.js';
import { MemoryDcs } from '../src/dcs/memory/memory-dcs.js';
import { MemoryDcsServer, type ServerMode } from '../src/dcs/memory/memory-server.js';
import type { DcsTiming } from '../src/dcs/timing.js';
import type { Logger } from '../src/logger.js';
import { SimClock } from './sim-clock.js';
import { AgentProcess } from './agent-process.js';
import type { AgentContext, AgentFactory, NodeAgent } from './agent.js';
import { DcsContact } from './dcs-contact.js';
import { latencyDraw } from './dcs-latency.js';
import { EventLog } from './event-log.js';
import { WorldFence } from './fence.js';
import { LockRecorder } from './lock-recorder.js';
import { CLASSIC_MODELS, drawBandwidth, type SimModels } from './models.js';
import { Network } from './network.js';
import { DEFAULT_PG_TIMINGS, type PgModelTimings } from './pg-timings.js';
import { PostgresModel } from './postgres-model.js';
import { ProcessDcsAdapter } from './process-dcs.js';
import { processBound } from './process-postgres.js';
import type { PostgresController } from '../src/postgres/controller.js';
import { deriveRandom } from './random.js';
import { DEFAULT_WORKLOAD, Workload, type WorkloadOptions } from './workload.js';

export interface WorldOptions {
  readonly seed: number;
  /** Node names (default node1..node3). */
  readonly nodes?: readonly string[];
  readonly timing?: DcsTiming;
  readonly pgTimings?: Partial<PgModelTimings>;
  readonly synchronousMode?: boolean;
  /** wal_log_hints on: pg_rewind works (default true). */
  readonly rewindable?: boolean;
  readonly agentFactory: AgentFactory;
  /** false: no client traffic. */
  readonly workload?: WorkloadOptions | false;
  /** Include agents' debug lines in the event log. */
  readonly debugLog?: boolean;
  /** Nodes whose agents carry the nofailover tag. */
  readonly nofailover?: readonly string[];
  /** DCS latency, replication bandwidth, write bursts (models.ts); default none of them. */
  readonly models?: SimModels;
}

export const SIM_TIMING: DcsTiming = { ttl: 30, loopWait: 10, retryTimeout: 10 };

/** GET /patroni round trip and its timeout (spec §1.8: 2 s, no retry). */
const PEER_LATENCY_MS = 5;
const PEER_TIMEOUT_MS = 2000;

/** The fence fired on a running postmaster: what the agent was doing at that instant. */
export interface FenceKill {
  readonly at: number;
  readonly agent: 'running' | 'paused' | 'killed';
  /** When the agent process last began running (start or SIGCONT); null if none. */
  readonly runningSince: number | null;
  /** Its last DCS answer that was not `unavailable` (DcsContact). */
  readonly lastDcsOkAt: number | null;
}

/** The last `GET /patroni` this node made of a peer: when it resolved and the body (null = no answer). */
export interface PeerAnswer {
  readonly at: number;
  readonly body: unknown;
}

export class SimNode {
  readonly lock = new LockRecorder();
  readonly dcsContact = new DcsContact();
  readonly fence: WorldFence;
  /** Every fence kill of a running postmaster, in order (the fence-kill invariant reads them). */
  readonly fenceKills: FenceKill[] = [];
  /** By peer name: the last status answer this node's agent got from it (the race invariants read them). */
  readonly peerAnswers = new Map<string, PeerAnswer>();
  /** Told of each `/status` value this node's agent stored (the optime it published). */
  readonly statusWrites: ((value: string) => void)[] = [];
  process: AgentProcess | null = null;
  agent: NodeAgent | null = null;
  /** Nesting counters so overlapping faults heal independently. */
  agentStarts = 0;
  killDepth = 0;
  pauseDepth = 0;
  dcsCutDepth = 0;
  readonly slowFactors: number[] = [];

  constructor(
    readonly name: string,
    readonly pg: PostgresModel,
    clock: SimClock,
  ) {
    // Like a watchdog resetting the host, the fence kills Postgres whatever its role: a
    // replica spared at the deadline could still be promoted by a stale agent afterwards.
    this.fence = new WorldFence(clock, () => {
      if (pg.isRunningProcess()) {
        const proc = this.process;
        this.fenceKills.push({ at: clock.now(), agent: proc?.state ?? 'killed', runningSince: proc?.runningSince ?? null, lastDcsOkAt: this.dcsContact.lastOkAt });
      }
      pg.crash('fenced: lock validity expired');
    });
  }
}

export class World {
  readonly clock = new SimClock(0);
  readonly log = new EventLog(this.clock);
  readonly server = new MemoryDcsServer({ clock: this.clock });
  readonly layout = new KeyLayout({ scope: 'sim' });
  /** The keys the invariants read after every step, built once. */
  readonly keyPaths = {
    leader: this.layout.key('leader'),
    config: this.layout.key('config'),
    sync: this.layout.key('sync'),
    status: this.layout.key('status'),
  } as const;
  readonly network = new Network();
  /** Shared by the nodes' DCS clients: a member's value is decoded once, not once per node. */
  private readonly decodeMemo = new DecodeMemo();
  readonly timing: DcsTiming;
  readonly pgTimings: PgModelTimings;
  readonly nodes: SimNode[];
  readonly workload: Workload | null;
  readonly synchronousMode: boolean;
  readonly seed: number;
  readonly models: SimModels;
  /** Called after every instant at which something happened. */
  readonly stepHooks: (() => void)[] = [];
  /** Called when a node's acquireLeader is answered `held` (it won the leader race), at that instant. */
  readonly raceWonHooks: ((node: SimNode) => void)[] = [];
  /** Faults currently in effect, and when the last one healed (for the liveness bound). */
  activeFaults = 0;
  lastHealAt = 0;
  /** The fault window (the runner sets it): DCS latency spikes happen only inside it, like faults. */
  faultWindowStart = 0;
  faultWindowEnd = Infinity;
  steps = 0;
  private readonly options: WorldOptions;
  private readonly dcsModes: ServerMode[] = [];
  private stopped = false;

  constructor(options: WorldOptions) {
    this.options = options;
    this.seed = options.seed;
    this.timing = options.timing ?? SIM_TIMING;
    this.pgTimings = { ...DEFAULT_PG_TIMINGS, ...options.pgTimings };
    this.synchronousMode = options.synchronousMode ?? false;
    this.models = options.models ?? CLASSIC_MODELS;
    const bandwidth = this.models.bandwidth;
    const names = options.nodes ?? ['node1', 'node2', 'node3'];
    const models = new Map<string, PostgresModel>();
    // The same list every time (the nodes never change): every new WAL record asks for it.
    const all: PostgresModel[] = [];
    const registry = { get: (n: string) => models.get(n), all: (): readonly PostgresModel[] => all };
    this.nodes = names.map((name) => {
      const pg = new PostgresModel(name, {
        clock: this.clock,
        random: deriveRandom(options.seed, `pg:${name}`),
        network: this.network,
        registry,
        timings: this.pgTimings,
        rewindable: options.rewindable ?? true,
        log: (m) => this.log.add(name, `pg: ${m}`),
        ...(bandwidth ? { receiveBytesPerMs: drawBandwidth(deriveRandom(options.seed, `link:${name}`), bandwidth) } : {}),
      });
      models.set(name, pg);
      all.push(pg);
      return new SimNode(name, pg, this.clock);
    });
    const workload = options.workload === false ? null : { ...(options.workload ?? DEFAULT_WORKLOAD), ...(this.models.bursts ? { bursts: this.models.bursts } : {}) };
    this.workload = workload && new Workload(this.clock, [...models.values()], workload, deriveRandom(options.seed, 'bursts'));
    this.server.watch(({ path, type }) => {
      if (path !== this.keyPaths.leader) return;
      this.log.add('dcs', type === 'put' ? `leader key = ${this.server.get(path)?.value ?? '?'}` : 'leader key deleted');
    });
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Who the DCS says holds the lock right now (the ground truth), or null. */
  leaderKeyHolder(): string | null {
    return this.server.get(this.keyPaths.leader)?.value ?? null;
  }

  /** Starts every agent and the workload. */
  start(): void {
    for (const n of this.nodes) this.startAgent(n);
    this.workload?.start();
  }

  // ---- agent processes --------------------------------------------------------------------

  startAgent(node: SimNode): void {
    const proc = new AgentProcess(this.clock);
    const generation = ++node.agentStarts;
    const adapter = new MemoryDcs({ server: this.server, layout: this.layout, name: node.name, ttlSeconds: this.timing.ttl });
    const random = deriveRandom(this.seed, `agent:${node.name}:${generation}`);
    const dcs = new Dcs({
      adapter: new ProcessDcsAdapter(adapter, proc, node.lock, this.clock, {
        log: (m) => this.log.add(node.name, m),
        contact: node.dcsContact,
        onAcquired: () => {
          for (const hook of this.raceWonHooks) hook(node);
        },
        onStatusWritten: (value) => {
          for (const listener of node.statusWrites) listener(value);
        },
        ...(this.models.dcsLatency
          ? {
              latency: latencyDraw(deriveRandom(this.seed, `dcs-latency:${node.name}:${generation}`), this.models.dcsLatency, () => this.clock.now() >= this.faultWindowStart && this.clock.now() < this.faultWindowEnd),
              onSpike: (active: boolean, ms: number) => this.latencySpike(node, active, ms),
            }
          : {}),
      }),
      timing: this.timing,
      clock: proc.clock,
      random,
      logger: this.agentLogger(node.name),
      decodeMemo: this.decodeMemo,
    });
    const ctx: AgentContext = {
      name: node.name,
      clock: proc.clock,
      random,
      dcs,
      layout: this.layout,
      postgres: processBound<PostgresController>(node.pg, proc),
      pgApiSnapshot: () => node.pg.apiSnapshot(),
      fence: node.fence,
      timing: this.timing,
      synchronousMode: this.synchronousMode,
      nofailover: this.options.nofailover?.includes(node.name) ?? false,
      logger: this.agentLogger(node.name),
      fetchPeer: (peer) => proc.wrap(this.callPeer(node.name, peer, (agent) => agent.apiStatus?.() ?? null), (body) => node.peerAnswers.set(peer, { at: this.clock.now(), body })),
      postFailsafe: (peer, body) => proc.wrap(this.callPeer(node.name, peer, (agent) => agent.failsafe?.(body) ?? null)).then((r) => r === true),
      connUrl: (n) => `postgres://${n}:5432/postgres`,
      apiUrl: (n) => `http://${n}:8008/patroni`,
    };
    node.process = proc;
    node.agent = this.options.agentFactory(ctx);
    this.log.add(node.name, 'agent started');
    node.agent.start();
  }

  /** SIGKILL of the agent: its lock is not released (it expires), Postgres keeps running. */
  killAgent(node: SimNode): void {
    node.process?.kill();
    node.process = null;
    node.agent = null;
    this.log.add(node.name, 'agent killed');
  }

  pauseAgent(node: SimNode): AgentProcess | null {
    const proc = node.process;
    node.pauseDepth++;
    if (proc?.state === 'running') {
      proc.pause();
      this.log.add(node.name, 'agent paused (SIGSTOP)');
    }
    return proc;
  }

  resumeAgent(node: SimNode, proc: AgentProcess | null): void {
    node.pauseDepth--;
    if (node.pauseDepth === 0 && proc && proc === node.process && proc.state === 'paused') {
      this.log.add(node.name, 'agent resumed (SIGCONT)');
      proc.resume();
    }
  }

  // ---- DCS and network faults --------------------------------------------------------------

  pushDcsMode(mode: ServerMode): void {
    this.dcsModes.push(mode);
    this.applyDcsMode();
  }

  popDcsMode(mode: ServerMode): void {
    const i = this.dcsModes.indexOf(mode);
    if (i >= 0) this.dcsModes.splice(i, 1);
    this.applyDcsMode();
  }

  private applyDcsMode(): void {
    const mode: ServerMode = this.dcsModes.includes('down') ? 'down' : this.dcsModes.includes('frozen') ? 'frozen' : 'up';
    if (mode !== this.server.getMode()) this.log.add('dcs', `server ${mode}`);
    this.server.setMode(mode);
  }

  /** A DCS latency spike is a fault while it lasts (liveness is judged from the last heal). */
  private latencySpike(node: SimNode, active: boolean, ms: number): void {
    if (active) {
      this.activeFaults++;
      this.log.add(node.name, `dcs: slow call (${ms} ms round trip)`);
    } else {
      this.activeFaults--;
      this.lastHealAt = Math.max(this.lastHealAt, this.clock.now());
    }
  }

  cutFromDcs(node: SimNode, cut: boolean): void {
    node.dcsCutDepth += cut ? 1 : -1;
    this.server.cutOffClient(node.name, node.dcsCutDepth > 0);
  }

  setSlow(node: SimNode, factor: number, on: boolean): void {
    if (on) node.slowFactors.push(factor);
    else node.slowFactors.splice(node.slowFactors.indexOf(factor), 1);
    node.pg.setSlowFactor(Math.max(1, ...node.slowFactors));
  }

  /** GET /patroni from one node to another, through the network model. */
  /** A request from one agent's process to another's API; null = refused, unreachable or timed out. */
  private callPeer<T>(from: string, to: string, handle: (agent: NodeAgent) => T | null): Promise<T | null> {
    return new Promise((resolve) => {
      const target = this.nodes.find((n) => n.name === to);
      const answer = (): void => {
        const proc = target?.process;
        if (!target || !proc) return resolve(null); // connection refused
        if (proc.state !== 'running') return void this.clock.setTimer(PEER_TIMEOUT_MS - PEER_LATENCY_MS, () => resolve(null));
        resolve(target.agent ? handle(target.agent) : null);
      };
      if (!this.network.canReach(from, to)) this.clock.setTimer(PEER_TIMEOUT_MS, () => resolve(null));
      else this.clock.setTimer(PEER_LATENCY_MS, answer);
    });
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Runs until virtual time `until`, stepping timer by timer. Stops early on `stop()`. */
  async runUntil(until: number): Promise<void> {
    // Callers may have left promise callbacks pending; after each drain none are.
    let settled = false;
    while (!this.stopped) {
      const next = this.clock.nextTimerAt();
      if (next === undefined || next > until) break;
      await this.clock.fireDue(next, settled);
      await drain(this.steps);
      settled = true;
      this.afterStep();
    }
    if (!this.stopped && this.clock.now() < until) {
      await this.clock.advance(until - this.clock.now());
      await drain(0);
      this.afterStep();
    }
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(this.clock.now() + ms);
  }

  /** Ends the run at the current instant (a violation was found). */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private afterStep(): void {
    this.steps++;
    for (const hook of this.stepHooks) hook();
  }

  private agentLogger(name: string): Logger {
    const add = (level: string) => (message: string) => this.log.add(name, level === 'info' ? message : `${level}: ${message}`);
    const debug = this.options.debugLog ? add('debug') : (): void => {};
    return { debug, info: add('info'), warn: add('warn'), error: add('error') };
  }
}

/**
 * Lets every pending promise callback run. Why: SimClock.advance flushes only a fixed
 * number of microtask turns, and a DCS call through the retry wrapper and a process
 * boundary takes more.
 *
 * Called from a promise callback, a `process.nextTick` callback runs only once the
 * microtask queue is empty (Node runs the queued ticks after the microtasks, and nothing
 * in the simulation queues ticks of its own), which is all a drain needs, without a turn
 * of the event loop. Every 256th drain goes through `setImmediate` instead, the same
 * guarantee through the event loop, so that the host (a test runner's timers, a worker's
 * messages) gets a turn during a long run. Neither carries time or changes an ordering.
 */
function drain(step: number): Promise<void> {
  return new Promise((resolve) => ((step & 255) === 0 ? setImmediate(resolve) : process.nextTick(resolve)));
}
