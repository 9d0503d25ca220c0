/**
 * The DCS client as seen through an agent process: every answer is delivered through
 * the process (paused → held back, killed → never), and lock answers are recorded for
 * the invariants on the way out of the server.
 */
import type { DcsAdapter, DcsCallContext, DcsWatchEvent, RawSnapshot, WriteCondition } from '../src/dcs/adapter.js';
import type { RawEntry } from '../src/dcs/cluster.js';
import type { DataKey } from '../src/dcs/keys.js';
import type { MemoryDcs } from '../src/dcs/memory/memory-dcs.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from '../src/dcs/outcomes.js';
import type { Clock } from '../src/time/clock.js';
import type { AgentProcess } from './agent-process.js';
import type { LockRecorder } from './lock-recorder.js';

export class ProcessDcsAdapter implements DcsAdapter {
  readonly capabilities;

  constructor(
    private readonly inner: MemoryDcs,
    private readonly proc: AgentProcess,
    private readonly lock: LockRecorder,
    private readonly clock: Clock,
    /** This node's event log (a won lock is logged, for fault triggers). */
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.capabilities = inner.capabilities;
    // SIGKILL: the connection is gone but the session lives until its TTL runs out.
    proc.onKill(() => inner.abandon());
  }

  read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    return this.proc.wrap(this.inner.read(ctx));
  }

  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.proc.wrap(
      this.inner.acquireLeader(ctx).then((o) => {
        // In the DCS, before the agent hears of it: the earliest instant a node leads.
        if (o.kind === 'held') this.log('dcs: lock acquired');
        return this.record(o);
      }),
    );
  }

  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    return this.proc.wrap(this.inner.refreshLeader(current, ctx).then((o) => this.record(o)));
  }

  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.proc.wrap(
      this.inner.releaseLeader(ctx).then((o) => {
        if (o.kind === 'released') this.lock.released(this.clock.now());
        return o;
      }),
    );
  }

  takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.proc.wrap(this.inner.takeLeader(ctx).then((o) => this.record(o)));
  }

  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.proc.wrap(this.inner.touchMember(value, ctx));
  }

  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.proc.wrap(this.inner.write(key, value, condition, ctx));
  }

  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.proc.wrap(this.inner.remove(key, condition, ctx));
  }

  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.proc.wrap(this.inner.removeCluster(ctx));
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    const unwatch = this.inner.watch(this.proc.bind(listener));
    this.proc.onKill(unwatch);
    return unwatch;
  }

  close(): Promise<void> {
    return this.proc.wrap(this.inner.close());
  }

  private record(outcome: LockOutcome): LockOutcome {
    if (outcome.kind === 'held') this.lock.held(this.clock.now(), outcome.validUntil);
    return outcome;
  }
}
