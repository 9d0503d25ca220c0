/**
 * watch() on ZooKeeper: one-shot znode watches on `leader` and `config`, re-armed as
 * soon as they fire, at every read, and whenever a session is (re)established.
 *
 * A one-shot watch misses what happens between its firing and its re-arming, and a new
 * session starts with no watches at all. So every arming also compares the znode's
 * state (its mzxid, or absence) with the last one seen and reports a difference: a
 * change made while we were disconnected, or our own ephemeral leader znode vanishing
 * with an expired session, still wakes the loop.
 */
import type { DcsWatchEvent, Logger } from '@pgwarden/core';
import { Event, type Stat } from 'node-zookeeper-client';
import { mzxidOf } from './stat.js';

export const WATCHED_KEYS = ['leader', 'config'] as const;
export type WatchedKey = (typeof WATCHED_KEYS)[number];

/** Known to exist, zxid not known (a watch said it was created or changed). */
const PRESENT = 'present';

export class WatchHub {
  private readonly listeners = new Set<(event: DcsWatchEvent) => void>();
  /** Per key: its last mzxid, null when absent, PRESENT, or no entry when never seen. */
  private readonly known = new Map<WatchedKey, string | null>();
  private readonly watchers: Record<WatchedKey, (event: Event) => void>;

  constructor(
    private readonly logger: Logger,
    /** Called after a watch fired, to arm it again. */
    private readonly rearm: (key: WatchedKey) => void,
  ) {
    // One function per key, so the client never stacks duplicate watchers on a path.
    this.watchers = {
      leader: (event) => this.fired('leader', event),
      config: (event) => this.fired('config', event),
    };
  }

  get active(): boolean {
    return this.listeners.size > 0;
  }

  add(listener: (event: DcsWatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  watcherFor(key: WatchedKey): (event: Event) => void {
    return this.watchers[key];
  }

  /** Records what a read or an arming saw; with `report`, tells listeners if it changed. */
  observed(key: WatchedKey, stat: Stat | null, report: boolean): void {
    const now = stat ? mzxidOf(stat) : null;
    const before = this.known.get(key);
    this.known.set(key, now);
    if (!report || before === undefined) return;
    if (before === PRESENT) {
      if (now === null) this.emit({ key, type: 'delete' });
      return;
    }
    if (before !== now) this.emit({ key, type: now === null ? 'delete' : 'put' });
  }

  clear(): void {
    this.listeners.clear();
  }

  private fired(key: WatchedKey, event: Event): void {
    const deleted = event.getType() === Event.NODE_DELETED;
    this.known.set(key, deleted ? null : PRESENT);
    this.emit({ key, type: deleted ? 'delete' : 'put' });
    this.rearm(key);
  }

  private emit(event: DcsWatchEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop the watch.
        this.logger.error(`a DCS watch listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
