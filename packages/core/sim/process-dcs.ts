/**
 * The DCS client as seen through an agent process: every answer is delivered through
 * the process (paused → held back, killed → never), and lock answers are recorded for
 * the invariants on the way out of the server. Every answer that is not `unavailable` is
 * noted as it reaches the running agent (DcsContact), and a won race is reported at once.
 */
import type { DcsAdapter, DcsCallContext, DcsWatchEvent, RawSnapshot, WriteCondition } from '../src/dcs/adapter.js';
import type { RawEntry } from '../src/dcs/cluster.js';
import type { DataKey } from '../src/dcs/keys.js';
import type { MemoryDcs } from '../src/dcs/memory/memory-dcs.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from '../src/dcs/outcomes.js';
import type { Clock } from '../src/time/clock.js';
import type { AgentProcess } from './agent-process.js';
import type { DcsContact } from './dcs-contact.js';
import type { LockRecorder } from './lock-recorder.js';

/** What the world learns from this node's DCS traffic, besides the lock answers. */
export interface DcsObservers {
  /** This node's event log (a won lock is logged, for fault triggers). */
  readonly log?: (message: string) => void;
  readonly contact?: DcsContact;
  /** acquireLeader answered `held` (the leader race was won), in the DCS, before the agent hears of it. */
  readonly onAcquired?: () => void;
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
    return this.deliver(this.inner.read(ctx));
  }

  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.deliver(
      this.inner.acquireLeader(ctx).then((o) => {
        // In the DCS, before the agent hears of it: the earliest instant a node leads.
        if (o.kind === 'held') {
          this.observers.log?.('dcs: lock acquired');
          this.observers.onAcquired?.();
        }
        return this.record(o);
      }),
    );
  }

  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    return this.deliver(this.inner.refreshLeader(current, ctx).then((o) => this.record(o)));
  }

  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.deliver(
      this.inner.releaseLeader(ctx).then((o) => {
        if (o.kind === 'released') this.lock.released(this.clock.now());
        return o;
      }),
    );
  }

  takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.deliver(this.inner.takeLeader(ctx).then((o) => this.record(o)));
  }

  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.inner.touchMember(value, ctx));
  }

  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.inner.write(key, value, condition, ctx));
  }

  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.inner.remove(key, condition, ctx));
  }

  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.deliver(this.inner.removeCluster(ctx));
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
  private deliver<T>(work: Promise<T>): Promise<T> {
    return this.proc.wrap(work, (answer) => {
      const ok = (answer as { kind?: string } | undefined)?.kind !== 'unavailable';
      if (ok && this.proc.state === 'running') this.observers.contact?.answered(this.clock.now());
    });
  }

  private record(outcome: LockOutcome): LockOutcome {
    if (outcome.kind === 'held') this.lock.held(this.clock.now(), outcome.validUntil);
    return outcome;
  }
}
