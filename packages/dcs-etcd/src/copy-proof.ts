/**
 * When the watch copy was last proved complete, and up to what. A round trip to etcd (a
 * lease keepalive, a range of the prefix) answers the serving member's store revision at
 * some instant after it was sent; once the copy holds every change up to that revision,
 * it is at most `now - sentAt` behind etcd. Between proofs the watch keeps the copy
 * current; the proof bounds how stale it can be when the watch silently stops (a frozen
 * server, a member cut off from its cluster, a half-open connection).
 */
import type { WatchCache } from './cache.js';

export class CopyProof {
  private sentAt = -Infinity;
  private revision: string | null = null;

  /** A round trip sent at `sentAt` answered `revision`. Older answers than the newest kept are ignored. */
  note(sentAt: number, revision: string): void {
    if (sentAt < this.sentAt || !/^\d+$/.test(revision)) return;
    this.sentAt = sentAt;
    this.revision = revision;
  }

  /** The copy is complete up to an instant no more than `maxAgeMs` before `now`. */
  holds(cache: WatchCache, now: number, maxAgeMs: number): boolean {
    return this.revision !== null && now - this.sentAt <= maxAgeMs && cache.covers(this.revision);
  }
}
