/**
 * The agent's one etcd lease, shared by its leader and member keys (spec/dcs.md §3.1).
 * It is granted and kept alive only by explicit calls from the HA loop (refreshLeader
 * forces a keepalive, a cached read whose copy needs a new proof sends one, touchMember
 * once half the TTL has passed), never by a background timer: a stuck loop must let the
 * lease, and the lock with it, run out.
 */
import type { Clock } from '@pgwarden/core';
import type { CallContext, Endpoints } from './client.js';

export class Lease {
  /** The lease ID as etcd prints it (decimal), or null when we hold none. */
  private leaseId: string | null = null;
  /** When the last acknowledged grant/keepalive was sent (Clock.now). */
  private sentAt = 0;
  /** The TTL etcd granted, in ms. */
  private grantedMs = 0;
  /** The TTL asked when the lease we hold was granted. */
  private grantedWithTtl = 0;

  constructor(
    private readonly endpoints: Endpoints,
    private readonly clock: Clock,
    private ttlSeconds: number,
    /** Told of every acknowledged keepalive: when it was sent and the revision it answered. */
    private readonly onRenewed: (sentAt: number, revision: string) => void = () => undefined,
  ) {}

  /** The TTL for the next grant (`/config` ttl changed). etcd cannot change a lease's TTL: see `stale`. */
  setTtl(ttlSeconds: number): void {
    this.ttlSeconds = ttlSeconds;
  }

  /** We hold a lease granted with another TTL than the one now asked: it must be replaced by a new one. */
  get stale(): boolean {
    return this.leaseId !== null && this.grantedWithTtl !== this.ttlSeconds;
  }

  get id(): string | null {
    return this.leaseId;
  }

  /** Until when no one else can take keys bound to this lease. */
  get validUntil(): number {
    return this.sentAt + this.grantedMs;
  }

  /** Time since the last acknowledged grant or keepalive was sent. */
  age(): number {
    return this.leaseId === null ? Infinity : this.clock.now() - this.sentAt;
  }

  /** Forgets the lease (etcd said it is gone, or it expired). */
  drop(): void {
    this.leaseId = null;
    this.grantedMs = 0;
  }

  async grant(ctx: CallContext): Promise<string> {
    const sentAt = this.clock.now();
    const ttlSeconds = this.ttlSeconds;
    const response = await this.endpoints.call(ctx, 'lease grant', (client, options) => client.leaseGrant({ TTL: ttlSeconds }, options));
    this.leaseId = response.ID;
    this.grantedWithTtl = ttlSeconds;
    this.sentAt = sentAt;
    this.grantedMs = Number(response.TTL) * 1000;
    return response.ID;
  }

  /**
   * One keepalive round trip (a gateway request holding this one keepalive). True when the lease is
   * alive and was renewed; false when etcd no longer knows it (answer without a TTL).
   */
  async keepAlive(ctx: CallContext): Promise<boolean> {
    return (await this.renew(ctx)) !== null;
  }

  /**
   * keepAlive that also returns the revision in the answer's header: the serving
   * member's store revision once the renewal was done, i.e. at some instant after the
   * request was sent. The watch cache uses it as a proof of freshness (cache.ts
   * `covers`). null when etcd no longer knows the lease.
   */
  async renew(ctx: CallContext): Promise<{ readonly revision: string } | null> {
    const id = this.leaseId;
    if (id === null) return null;
    const sentAt = this.clock.now();
    const answer = await this.endpoints.call(ctx, 'lease keepalive', (client, options) => client.leaseKeepAlive({ ID: id }, options));
    if (this.leaseId !== id) return null;
    const seconds = Number(answer.TTL);
    if (!(seconds > 0)) {
      this.drop();
      return null;
    }
    this.sentAt = sentAt;
    this.grantedMs = seconds * 1000;
    this.onRenewed(sentAt, answer.header.revision);
    return { revision: answer.header.revision };
  }

  /**
   * A live lease: granted if we hold none; kept alive first when the last renewal is
   * older than `maxAgeMs` (0: always), re-granted if etcd dropped it.
   */
  async ensure(ctx: CallContext, maxAgeMs: number): Promise<string> {
    if (this.leaseId === null) return this.grant(ctx);
    if (this.age() >= maxAgeMs && !(await this.keepAlive(ctx))) return this.grant(ctx);
    return this.leaseId;
  }

  /** Ends the lease: its keys go at once. */
  async revoke(ctx: CallContext): Promise<void> {
    const id = this.leaseId;
    if (id === null) return;
    this.drop();
    await this.endpoints.call(ctx, 'lease revoke', (client, options) => client.leaseRevoke({ ID: id }, options));
  }
}
