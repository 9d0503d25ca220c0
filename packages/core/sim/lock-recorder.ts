/**
 * What one node's DCS client was told about the leader lock, recorded as the answers
 * left the server (before the agent, maybe paused, sees them). The safety invariant reads
 * it: a node may still be writable after losing the key only while its last `held`
 * answer's `validUntil` has not passed and it has not released the key itself.
 */
export class LockRecorder {
  /** validUntil of the last `held` answer, or null if none yet. */
  lastValidUntil: number | null = null;
  lastHeldAt: number | null = null;
  /** When the node deleted the key itself, if after its last `held`. */
  releasedAt: number | null = null;

  held(at: number, validUntil: number): void {
    this.lastHeldAt = at;
    this.lastValidUntil = Math.max(this.lastValidUntil ?? validUntil, validUntil);
    this.releasedAt = null;
  }

  released(at: number): void {
    this.releasedAt = at;
  }

  /** True while the node may still believe, rightly, that nobody else can hold the lock. */
  validAt(now: number): boolean {
    return this.lastValidUntil !== null && now <= this.lastValidUntil && this.releasedAt === null;
  }
}
