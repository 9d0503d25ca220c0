/**
 * The DCS client as seen through an agent process: every answer is delivered through
 * the process (paused → held back, killed → never), and lock answers are recorded for
 * the invariants on the way out of the server. Every answer that is not `unavailable` is
 * noted as it reaches the running agent (DcsContact), and a won race is reported at once.
 * With a latency model every call spends its request leg on the wire before the server
 * applies it (a deadline during it means it never arrives) and its response leg after; a
 * lease granted is counted from when the request was sent, as a real client counts it.
 */
import type { DcsAdapter, DcsCallContext, DcsWatchEvent, RawSnapshot, WriteCondition } from '../src/dcs/adapter.js';
import type { RawEntry } from '../src/dcs/cluster.js';
import { callExpired } from '../src/dcs/deadline-context.js';
import type { DataKey } from '../src/dcs/keys.js';
import type { MemoryDcs } from '../src/dcs/memory/memory-dcs.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from '../src/dcs/outcomes.js';
import type { Clock } from '../src/time/clock.js';
import type { AgentProcess } from './agent-process.js';
import type { DcsContact } from './dcs-contact.js';
import type { CallLegs, LatencyDraw } from './dcs-latency.js';
import type { LockRecorder } from './lock-recorder.js';
import { serverContext } from './server-context.js';

/** What the world learns from this node's DCS traffic, besides the lock answers. */
export interface DcsObservers {
  /** This node's event log (a won lock is logged, for fault triggers). */
  readonly log?: (message: string) => void;
  readonly contact?: DcsContact;
  /** acquireLeader answered `held` (the leader race was won), in the DCS, before the agent hears of it. */
  readonly onAcquired?: () => void;
  /** Time on the wire per call (dcs-latency.ts); none when absent. */
  readonly latency?: LatencyDraw;
  /** This node's `/status` write was stored (seen as its answer comes back): the optime it published. */
  readonly onStatusWritten?: (value: string) => void;
  /** A latency spike begins (true) or ends (false): the world counts it as a fault. */
  readonly onSpike?: (active: boolean, roundTripMs: number) => void;
}

export class ProcessDcsAdapter implements DcsAdapter {
  readonly capabilities;

  constructor(
    private readonly inner: MemoryDcs,
    private readonly proc: AgentProcess,
    private readonly lock: LockRecorder,
    private readonly clock: Clock,
    private readonly observers: DcsObservers = {},
  ) {
    this.capabilities = inner.capabilities;
    // SIGKILL: the connection is gone but the session lives until its TTL runs out.
    proc.onKill(() => inner.abandon());
  }

  read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    return this.deliver(this.travel(ctx, (server) => this.inner.read(server)));
  }

  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    return this.deliver(
      this.travel(ctx, (server) =>
        this.inner.acquireLeader(server).then((o) => {
          // In the DCS, before the agent hears of it: the earliest instant a node leads.
          if (o.kind === 'held') {
            this.observers.log?.('dcs: lock acquired');
            this.observers.onAcquired?.();
          }
          return this.record(o, sentAt);
        }),
      ),
    );
  }

  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    return this.deliver(this.travel(ctx, (server) => this.inner.refreshLeader(current, server).then((o) => this.record(o, sentAt))));
  }

  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.deliver(
      this.travel(ctx, (server) =>
        this.inner.releaseLeader(server).then((o) => {
          if (o.kind === 'released') this.lock.released(this.clock.now());
          return o;
        }),
      ),
    );
  }

  takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    const sentAt = this.clock.now();
    return this.deliver(this.travel(ctx, (server) => this.inner.takeLeader(server).then((o) => this.record(o, sentAt))));
  }

  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.travel(ctx, (server) => this.inner.touchMember(value, server)));
  }

  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    const published = key === 'status' ? this.observers.onStatusWritten : undefined;
    return this.deliver(
      this.travel(ctx, (server) => this.inner.write(key, value, condition, server)),
      published && ((o) => o.kind === 'written' && published(value)),
    );
  }

  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.travel(ctx, (server) => this.inner.remove(key, condition, server)));
  }

  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.travel(ctx, (server) => this.inner.removeCluster(server)));
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    const unwatch = this.inner.watch(this.proc.bind(listener));
    this.proc.onKill(unwatch);
    return unwatch;
  }

  close(): Promise<void> {
    return this.proc.wrap(this.inner.close());
  }

  /**
   * The answer as the process sees it. One that is not `unavailable`, arriving while the
   * process runs (so it is delivered at once), is DCS contact; noted in the promise turn
   * the answer arrives in, so the agent's timing does not change.
   */
  private deliver<T>(work: Promise<T>, alsoOnArrive?: (answer: T) => void): Promise<T> {
    return this.proc.wrap(work, (answer) => {
      alsoOnArrive?.(answer);
      const ok = (answer as { kind?: string } | undefined)?.kind !== 'unavailable';
      if (ok && this.proc.state === 'running') this.observers.contact?.answered(this.clock.now());
    });
  }

  /**
   * The call on the wire: the request leg (aborted by the caller's deadline: the server
   * never sees it), the server, the response leg (the server has acted even if the caller
   * has given up by then). No timers at all without a latency model.
   */
  private travel<T>(ctx: DcsCallContext, call: (server: DcsCallContext) => Promise<T>): Promise<T> {
    const latency = this.observers.latency;
    const server = serverContext(ctx);
    // Not async on this path: an async wrapper would add promise turns and reorder callbacks.
    return latency ? this.onWire(ctx, () => call(server), latency()) : call(server);
  }

  private async onWire<T>(ctx: DcsCallContext, call: () => Promise<T>, legs: CallLegs): Promise<T> {
    const { requestMs, responseMs, spike } = legs;
    if (spike) this.observers.onSpike?.(true, requestMs + responseMs);
    try {
      if (requestMs > 0) await this.wire(requestMs);
      // Past the deadline on the way there: the server never sees the call. (Checked on
      // arrival rather than by listening: the caller has stopped waiting at the deadline either way.)
      if (callExpired(ctx)) throw ctx.signal.reason;
      const answer = await call();
      if (responseMs > 0) await this.wire(responseMs);
      return answer;
    } finally {
      if (spike) this.observers.onSpike?.(false, requestMs + responseMs);
    }
  }

  private wire(ms: number): Promise<void> {
    return new Promise((resolve) => void this.clock.setTimer(ms, resolve));
  }

  /** A held lock counts from when the request was sent (the server counts from its arrival, later). */
  private record(outcome: LockOutcome, sentAt: number): LockOutcome {
    if (outcome.kind !== 'held') return outcome;
    const held = { ...outcome, validUntil: outcome.validUntil - (this.clock.now() - sentAt) };
    this.lock.held(this.clock.now(), held.validUntil);
    return held;
  }
}
