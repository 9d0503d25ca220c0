/**
 * The agent's one Consul session, shared by its leader and member keys (behavior
 * delete, so they vanish with it; lock-delay ≈ 0 so a lost lock is free at once).
 *
 * Consul servers invalidate a session only after twice its TTL, so pgwarden sends
 * ttl/2, as Patroni does, and the lock lives ≈ ttl after the last renewal. The agent's
 * SessionTTLMin is read at start; a smaller ttl/2 is raised to it (with a warning), and
 * the lock then lives 2 × SessionTTLMin.
 */
import type { Clock, Logger } from '@pgwarden/core';
import type { ConsulClient, RequestBudget } from './client.js';
import { isInvalidSessionTtl, isNotFound } from './errors.js';

export class ConsulSession {
  id: string | null = null;
  /** Clock.now() when the last successful create or renew was sent. */
  lastRenewSentAt = -Infinity;
  private sessionTtlSeconds: number;

  constructor(
    private readonly client: ConsulClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly name: string,
    private readonly checks: readonly string[],
    ttlSeconds: number,
  ) {
    this.sessionTtlSeconds = ttlSeconds / 2;
  }

  /** How long the lock lives after a renewal: Consul's 2 × session TTL. */
  get lockTtlMs(): number {
    return 2 * this.sessionTtlSeconds * 1000;
  }

  /** Applies the agent's minimum session TTL. */
  applyMinimum(minSeconds: number): void {
    if (this.sessionTtlSeconds >= minSeconds) return;
    this.logger.warn(
      `consul: ttl ${this.sessionTtlSeconds * 2} s asks for a session TTL of ${this.sessionTtlSeconds} s, below the agent's SessionTTLMin ` +
        `${minSeconds} s; using ${minSeconds} s, so the leader lock lives ${minSeconds * 2} s`,
    );
    this.sessionTtlSeconds = minSeconds;
  }

  /** Renews the session, or creates one when there is none or it has ended. Returns the send time. */
  async ensure(budget: RequestBudget): Promise<{ id: string; sentAt: number; created: boolean }> {
    if (this.id) {
      const renewed = await this.renew(budget);
      if (renewed !== null) return { id: this.id, sentAt: renewed, created: false };
    }
    return { ...(await this.create(budget)), created: true };
  }

  /** Renews only; null when the session has ended (its keys are gone with it). */
  async renew(budget: RequestBudget): Promise<number | null> {
    if (!this.id) return null;
    const sentAt = this.clock.now();
    try {
      await this.client.renewSession(this.id, budget);
    } catch (error) {
      if (isNotFound(error) || isNotFound((error as { cause?: unknown }).cause)) {
        this.id = null;
        return null;
      }
      throw error;
    }
    this.lastRenewSentAt = sentAt;
    return sentAt;
  }

  async create(budget: RequestBudget): Promise<{ id: string; sentAt: number }> {
    const attempt = async (): Promise<{ id: string; sentAt: number }> => {
      const sentAt = this.clock.now();
      const id = await this.client.createSession({ name: this.name, ttl: `${this.sessionTtlSeconds}s`, checks: this.checks }, budget);
      this.id = id;
      this.lastRenewSentAt = sentAt;
      return { id, sentAt };
    };
    try {
      return await attempt();
    } catch (error) {
      if (!isInvalidSessionTtl((error as { cause?: unknown }).cause)) throw error;
      this.applyMinimum(await this.client.sessionTtlMinSeconds(budget));
      return attempt();
    }
  }

  /** Ends the session: its keys go at once. */
  async destroy(budget: RequestBudget): Promise<void> {
    if (!this.id) return;
    const id = this.id;
    this.id = null;
    await this.client.destroySession(id, budget);
  }

  /** Forgets the session without ending it (the kit's abandon()). */
  forget(): void {
    this.id = null;
  }
}
