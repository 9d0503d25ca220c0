/**
 * The base of every broken adapter: a MemoryDcs behind an adapter that forwards each
 * call unchanged. A broken adapter overrides the one method whose rule it breaks, so
 * the kit's failure can only come from that rule.
 */
import type { DcsAdapter, DcsAdapterModule, DcsCallContext, DcsWatchEvent, RawSnapshot, WriteCondition } from '../../../src/dcs/adapter.js';
import type { RawEntry } from '../../../src/dcs/cluster.js';
import { guardAdapter, type RawDcsAdapter } from '../../../src/dcs/guarded-adapter.js';
import type { DataKey } from '../../../src/dcs/keys.js';
import { MEMORY_CAPABILITIES, MemoryDcs, type MemoryDcsOptions } from '../../../src/dcs/memory/memory-dcs.js';
import type { MemoryDcsServer } from '../../../src/dcs/memory/memory-server.js';
import type { LockOutcome, ReleaseOutcome, Unavailable, WriteOutcome } from '../../../src/dcs/outcomes.js';
import type { MemorySection } from '../../../src/testing/index.js';

export class ForwardingAdapter implements RawDcsAdapter {
  readonly capabilities = MEMORY_CAPABILITIES;

  constructor(
    public inner: MemoryDcs,
    /** What the inner MemoryDcs was built from, for adapters that build another. */
    readonly options: MemoryDcsOptions,
  ) {}

  read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot | Unavailable> {
    return this.inner.read(ctx);
  }
  acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.inner.acquireLeader(ctx);
  }
  refreshLeader(current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    return this.inner.refreshLeader(current, ctx);
  }
  releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    return this.inner.releaseLeader(ctx);
  }
  takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    return this.inner.takeLeader(ctx);
  }
  touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.touchMember(value, ctx);
  }
  write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.write(key, value, condition, ctx);
  }
  remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.remove(key, condition, ctx);
  }
  removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    return this.inner.removeCluster(ctx);
  }
  watch(listener: (event: DcsWatchEvent) => void): () => void {
    return this.inner.watch(listener);
  }
  setTtl(ttlSeconds: number): void {
    this.inner.setTtl(ttlSeconds);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  abandon(): void {
    this.inner.abandon();
  }
}

export interface BrokenAdapter {
  /** The rule this adapter breaks, in words. */
  readonly rule: string;
  /** The kit case that must fail against it. */
  readonly caughtBy: string;
  /** Builds the broken module over a fresh in-memory server. */
  module(server: MemoryDcsServer): DcsAdapterModule<MemorySection>;
}

/**
 * A module whose adapters are `wrap`'s, over MemoryDcs. `guarded`: whether the broken
 * adapter still sits inside guardAdapter() (false for the rules the guard itself owns).
 */
export function brokenModule(
  server: MemoryDcsServer,
  wrap: (inner: MemoryDcs, options: MemoryDcsOptions) => RawDcsAdapter,
  guarded = true,
  checksReachability = true,
): DcsAdapterModule<MemorySection> {
  let clients = 0;
  return {
    section: 'memory',
    capabilities: MEMORY_CAPABILITIES,
    parseSection: () => ({ ok: true, value: {} }),
    async create(o) {
      const options: MemoryDcsOptions = { server, layout: o.layout, name: o.name, ttlSeconds: o.ttlSeconds, clientId: `${o.name}#${++clients}` };
      if (checksReachability) await server.gate(options.clientId!, AbortSignal.timeout(o.retryTimeoutSeconds * 1000));
      const raw = wrap(new MemoryDcs(options), options);
      return guarded ? guardAdapter(raw, { clock: o.clock, label: 'broken MemoryDcs' }) : (raw as DcsAdapter);
    },
  };
}
