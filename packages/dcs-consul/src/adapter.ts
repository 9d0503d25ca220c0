/**
 * The Consul adapter (spec/dcs.md §3.3): the leader lock is a KV key acquired with the
 * agent's session (`?acquire=`), member keys are bound to the same session, persistent
 * writes use `?cas=<ModifyIndex>`, and the watch is a blocking query.
 */
import {
  DcsError,
  KeyLayout,
  type Clock,
  type DataKey,
  type DcsAdapter,
  type DcsCallContext,
  type DcsCapabilities,
  type DcsWatchEvent,
  type LockOutcome,
  type Logger,
  type RawEntry,
  type RawSnapshot,
  type ReleaseOutcome,
  type WriteCondition,
  type WriteOutcome,
} from '@pgwarden/core';
import { budgetOf, type ConsulClient, type RequestBudget } from './client.js';
import type { ConsulSection } from './config.js';
import { isInvalidSession } from './errors.js';
import { serviceRegistration, type MemberFacts } from './service.js';
import { ConsulSession } from './session.js';
import { PrefixWatch } from './watch.js';

export const CONSUL_CAPABILITIES: DcsCapabilities = {
  // Consul refuses session TTLs below 10 s by default, and pgwarden sends ttl/2.
  minTtlSeconds: 20,
  liveness: 'loop',
  nativeWatch: true,
  ttlNegotiated: false,
};

export interface ConsulDcsOptions {
  readonly client: ConsulClient;
  readonly section: ConsulSection;
  readonly layout: KeyLayout;
  readonly name: string;
  readonly ttlSeconds: number;
  readonly loopWaitSeconds: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ConsulDcs implements DcsAdapter {
  readonly capabilities = CONSUL_CAPABILITIES;
  readonly session: ConsulSession;
  private readonly client: ConsulClient;
  private readonly layout: KeyLayout;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly watcher: PrefixWatch;
  private lastMember: { value: string; session: string } | null = null;
  private serviceSignature: string | null = null;
  private registeredService: string | null = null;
  private closed = false;
  private loopWaitSeconds: number;

  constructor(private readonly options: ConsulDcsOptions) {
    this.client = options.client;
    this.loopWaitSeconds = options.loopWaitSeconds;
    // Consul KV paths have no leading '/', whatever layout the caller built.
    this.layout = new KeyLayout({ namespace: options.layout.namespace, scope: options.layout.scope, leadingSlash: false });
    this.name = options.name;
    this.clock = options.clock;
    this.session = new ConsulSession(options.client, options.clock, options.logger, `${options.layout.scope}-${options.name}`, options.section.checks, options.ttlSeconds);
    this.watcher = new PrefixWatch(options.client, options.layout, options.clock, options.logger);
  }

  /** `/config`'s loop_wait changed: session renewals follow its pace. */
  setLoopWait(loopWaitSeconds: number): void {
    this.loopWaitSeconds = loopWaitSeconds;
  }

  async read(ctx: DcsCallContext, options: { readonly linearizable: boolean }): Promise<RawSnapshot> {
    this.ensureOpen();
    const { items } = await this.client.list(this.layout.prefix, budgetOf(ctx), { linearizable: options.linearizable });
    const entries: RawEntry[] = [];
    for (const item of items) {
      const key = this.layout.relative(item.Key);
      if (!key) continue;
      entries.push({ key, value: item.Value ?? '', version: String(item.ModifyIndex), session: item.Session ?? null });
    }
    return { kind: 'snapshot', entries };
  }

  async acquireLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    for (let attempt = 0; ; attempt++) {
      const { id, sentAt } = await this.session.ensure(budget);
      try {
        if (await this.client.put(this.path('leader'), this.name, { acquire: id }, budget)) return this.held(sentAt);
        const holder = await this.client.get(this.path('leader'), budget);
        return { kind: 'lost', reason: 'held-by-other', holder: holder?.Value ?? undefined };
      } catch (error) {
        // The session ended between renew and acquire: start a new one, once.
        if (attempt > 0 || !isInvalidSession((error as DcsError).cause)) throw error;
        this.session.forget();
      }
    }
  }

  async refreshLeader(_current: RawEntry | null, ctx: DcsCallContext): Promise<LockOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    // A process with no session yet (an agent restarted beside its running Postgres) may
    // still take back a key under its name, below: it needs a session for that.
    const sentAt = this.session.id ? await this.session.renew(budget) : (await this.session.ensure(budget)).sentAt;
    if (sentAt === null) return { kind: 'lost', reason: 'not-held' };
    const leader = await this.client.get(this.path('leader'), budget);
    if (!leader) return { kind: 'lost', reason: 'not-held' };
    if (leader.Value !== this.name) return { kind: 'lost', reason: 'held-by-other', holder: leader.Value ?? undefined };
    if (leader.Session !== this.session.id) return this.reclaimLeader(leader.ModifyIndex, sentAt, budget);
    return this.held(sentAt);
  }

  /**
   * The key names this member under another session: a previous process of this member
   * (crashed or restarted while its Postgres kept running) holds it. As Patroni does, it
   * is taken back by name (names are unique: the agent refuses to start beside a live
   * agent of the same name): a delete with `cas` on the index seen — so a key taken or
   * re-created meanwhile stays — then an acquire with our session, which fails if
   * another member acquired in between.
   */
  private async reclaimLeader(seenIndex: number, sentAt: number, budget: RequestBudget): Promise<LockOutcome> {
    const path = this.path('leader');
    if (!(await this.client.delete(path, { cas: seenIndex }, budget))) return { kind: 'lost', reason: 'not-held' };
    if (await this.client.put(path, this.name, { acquire: this.session.id! }, budget)) return this.held(sentAt);
    return { kind: 'lost', reason: 'not-held' };
  }

  async releaseLeader(ctx: DcsCallContext): Promise<ReleaseOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    const leader = await this.client.get(this.path('leader'), budget);
    if (!leader || leader.Value !== this.name) return { kind: 'not-owner' };
    return (await this.client.delete(this.path('leader'), { cas: leader.ModifyIndex }, budget)) ? { kind: 'released' } : { kind: 'not-owner' };
  }

  async takeLeader(ctx: DcsCallContext): Promise<LockOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    const { id, sentAt } = await this.session.ensure(budget);
    const leader = await this.client.get(this.path('leader'), budget);
    if (leader?.Session && leader.Session !== id) await this.client.delete(this.path('leader'), { cas: leader.ModifyIndex }, budget);
    if (await this.client.put(this.path('leader'), this.name, { acquire: id }, budget)) return this.held(sentAt);
    return { kind: 'lost', reason: 'held-by-other' };
  }

  async touchMember(value: string, ctx: DcsCallContext): Promise<WriteOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    // One renewal per cycle is enough: refreshLeader renews too on the leader.
    const renewDue = this.clock.now() - this.session.lastRenewSentAt >= (this.loopWaitSeconds * 1000) / 2;
    const id = renewDue || !this.session.id ? (await this.session.ensure(budget)).id : this.session.id;
    if (this.lastMember?.value === value && this.lastMember.session === id) return { kind: 'written', version: null };
    const path = this.layout.member(this.name);
    if (!(await this.client.put(path, value, { acquire: id }, budget))) {
      // Still locked by a session of ours that has not ended yet: take the key over.
      await this.client.delete(path, {}, budget);
      if (!(await this.client.put(path, value, { acquire: id }, budget))) return { kind: 'conflict' };
    }
    this.lastMember = { value, session: id };
    await this.updateService(value, budget);
    return { kind: 'written', version: null };
  }

  async write(key: DataKey, value: string, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    this.ensureOpen();
    const cas = condition.kind === 'absent' ? 0 : condition.kind === 'version' ? Number(condition.version) : undefined;
    const ok = await this.client.put(this.path(key), value, cas === undefined ? {} : { cas }, budgetOf(ctx));
    // Consul's PUT does not return the new index; readers take it from the next load.
    return ok ? { kind: 'written', version: null } : { kind: 'conflict' };
  }

  async remove(key: DataKey, condition: WriteCondition, ctx: DcsCallContext): Promise<WriteOutcome> {
    this.ensureOpen();
    const budget = budgetOf(ctx);
    if (condition.kind === 'version') {
      const existing = await this.client.get(this.path(key), budget);
      if (!existing || String(existing.ModifyIndex) !== condition.version) return { kind: 'conflict' };
      return (await this.client.delete(this.path(key), { cas: existing.ModifyIndex }, budget)) ? { kind: 'written', version: null } : { kind: 'conflict' };
    }
    await this.client.delete(this.path(key), {}, budget);
    return { kind: 'written', version: null };
  }

  async removeCluster(ctx: DcsCallContext): Promise<WriteOutcome> {
    this.ensureOpen();
    await this.client.delete(this.layout.prefix, { recurse: true }, budgetOf(ctx));
    return { kind: 'written', version: null };
  }

  watch(listener: (event: DcsWatchEvent) => void): () => void {
    return this.watcher.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher.stop();
    const budget = { signal: AbortSignal.timeout(2000), deadline: this.clock.now() + 2000 };
    try {
      if (this.registeredService) await this.client.deregisterService(this.registeredService, budget);
      await this.session.destroy(budget);
    } catch {
      // The session dies by its TTL anyway.
    } finally {
      this.client.close();
    }
  }

  /** Drops the connection without ending the session: its keys go by TTL. */
  abandon(): void {
    this.closed = true;
    this.watcher.stop();
    this.session.forget();
    this.client.close();
  }

  private held(sentAt: number): LockOutcome {
    return { kind: 'held', validUntil: sentAt + this.session.lockTtlMs };
  }

  private path(key: string): string {
    return this.layout.key(key);
  }

  private ensureOpen(): void {
    if (this.closed) throw new DcsError('closed', 'this Consul adapter is closed');
  }

  private async updateService(memberValue: string, budget: RequestBudget): Promise<void> {
    if (!this.options.section.registerService) return;
    let facts: MemberFacts = {};
    try {
      facts = JSON.parse(memberValue) as MemberFacts;
    } catch {
      return;
    }
    const registration = serviceRegistration(facts, {
      scope: this.layout.scope,
      name: this.name,
      ttlSeconds: this.options.ttlSeconds,
      section: this.options.section,
    });
    const signature = registration ? JSON.stringify(registration) : null;
    if (signature === this.serviceSignature) return;
    if (registration) {
      await this.client.registerService(registration, budget);
      this.registeredService = String(registration.ID);
      this.serviceSignature = signature;
    } else if (this.registeredService && facts.state === 'stopped') {
      await this.client.deregisterService(this.registeredService, budget);
      this.registeredService = null;
      this.serviceSignature = null;
    }
  }
}
