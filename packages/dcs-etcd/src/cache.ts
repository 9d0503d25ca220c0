/**
 * A watch-maintained copy of the cluster prefix, as Patroni's etcd3 nodes keep one: one
 * range read, then a watch from the revision after it. Our own writes are applied at
 * once (read-your-writes), watch events as they come; each key remembers the revision
 * of its last change, deletes included, so a late event never undoes a newer write.
 *
 * The copy is trusted ("live") only while its watch stream is established. The stream
 * breaking, a compaction, or any failed request (the server may be frozen while the
 * stream looks open) turns it off; it is then rebuilt in the background with backoff,
 * and reads go to etcd meanwhile. Rebuilding compares old and new copies and reports
 * the differences as events, so listeners miss nothing that happened during the gap.
 * A range read of the prefix made for a read (`absorb`) brings the copy up to its
 * revision the same way.
 */
import type { Clock, DcsWatchEvent, KeyLayout, Logger, RawEntry, TimerHandle } from '@pgwarden/core';
import type { Endpoints } from './client.js';
import { toDcsError } from './errors.js';
import type { OpenStream } from './gateway.js';
import type { KeyValue, RangeResponse, WatchResponse } from './wire.js';

export interface CachedKey {
  readonly value: string;
  /** Lease ID as a decimal string; `'0'` for none. */
  readonly lease: string;
  readonly modRevision: string;
}

interface Slot {
  /** null: deleted at `revision`. */
  readonly kv: CachedKey | null;
  readonly revision: bigint;
}

export interface WatchCacheOptions {
  readonly endpoints: Endpoints;
  readonly layout: KeyLayout;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Deadline for the range read that (re)builds the copy. */
  readonly buildTimeoutMs: number;
  readonly onEvent: (event: DcsWatchEvent) => void;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;

/** The key just after every key with this prefix, for range and watch requests. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export function toCachedKey(kv: KeyValue): CachedKey {
  return { value: kv.value.toString('utf8'), lease: kv.lease || '0', modRevision: kv.mod_revision };
}

export class WatchCache {
  private slots = new Map<string, Slot>();
  private live = false;
  private running = false;
  private closed = false;
  private generation = 0;
  private stream: OpenStream | null = null;
  private retryTimer: TimerHandle | null = null;
  private backoffMs = FIRST_BACKOFF_MS;
  private built = false;
  /**
   * The copy holds every change under the prefix up to this store revision: the build's
   * range revision, then the header revision of each event response (etcd sends a
   * watcher's events in revision order, a batch's header carrying the revision it brings
   * the watcher to). Not moved by our own writes (older changes by others may still be
   * on their way) nor by `created` responses: etcd 3.4 stamps those with the store's
   * revision even while the watcher is still catching up. A range absorbed into the
   * copy moves it to the range's revision. -1: unknown.
   */
  private completeTo = -1n;
  private readonly prefix: Buffer;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: WatchCacheOptions) {
    this.prefix = Buffer.from(options.layout.prefix);
    this.unsubscribe = options.endpoints.onFailure(() => this.invalidate('a request failed'));
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Starts building the copy (idempotent). */
  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.build();
  }

  /**
   * True when the live copy holds every change up to `revision`, a store revision some
   * member answered after a request we sent (lease.ts `renew`): the copy is then at
   * least as fresh as a serializable read sent at that moment, with no request to the
   * watch stream. False when revision is not a number.
   */
  covers(revision: string): boolean {
    if (!this.live || !/^\d+$/.test(revision)) return false;
    return this.completeTo >= BigInt(revision);
  }

  /** Entries under the prefix, or null when the copy is not live. */
  snapshot(): RawEntry[] | null {
    if (!this.live) return null;
    const entries: RawEntry[] = [];
    for (const [path, slot] of this.slots) {
      if (!slot.kv) continue;
      const key = this.options.layout.relative(path);
      if (key === null) continue;
      entries.push({ key, value: slot.kv.value, version: slot.kv.modRevision, session: slot.kv.lease === '0' ? null : slot.kv.lease });
    }
    return entries;
  }

  /** The cached key (null: absent), or undefined when the copy is not live. */
  lookup(path: string): CachedKey | null | undefined {
    if (!this.live) return undefined;
    return this.slots.get(path)?.kv ?? null;
  }

  /** Applies our own successful put, written at `revision`. */
  applyPut(path: string, value: string, lease: string, revision: string): void {
    this.apply(path, { value, lease, modRevision: revision }, BigInt(revision));
  }

  /** Applies our own successful delete, done at `revision`. */
  applyDelete(path: string, revision: string): void {
    this.apply(path, null, BigInt(revision));
  }

  /** Applies our own delete of every key under the prefix. */
  applyDeletePrefix(revision: string): void {
    for (const path of [...this.slots.keys()]) this.apply(path, null, BigInt(revision));
  }

  /**
   * Brings the live copy up to a range read of the whole prefix: the range shows every
   * key as of its revision R, so after taking each key's newer version (per-key
   * revisions keep newer events and own writes) and deleting, as of R, the keys it no
   * longer has, the copy holds every change up to R. Differences are reported as events.
   */
  absorb(range: RangeResponse): void {
    if (!this.live || !/^\d+$/.test(range.header.revision)) return;
    const revision = BigInt(range.header.revision);
    const seen = new Set<string>();
    for (const kv of range.kvs) {
      const path = kv.key.toString('utf8');
      seen.add(path);
      this.apply(path, toCachedKey(kv), BigInt(kv.mod_revision));
    }
    for (const [path, slot] of [...this.slots]) {
      if (!seen.has(path) && slot.kv !== null) this.apply(path, null, revision);
    }
    if (revision > this.completeTo) this.completeTo = revision;
  }

  /** Stops trusting the copy and rebuilds it. */
  invalidate(reason: string): void {
    if (!this.running || this.closed) return;
    if (this.live) this.options.logger.debug(`etcd: watch cache off (${reason}); rebuilding`);
    this.live = false;
    this.stopStream();
    this.scheduleBuild();
  }

  close(): void {
    this.closed = true;
    this.live = false;
    this.unsubscribe();
    this.retryTimer?.cancel();
    this.stopStream();
  }

  private apply(path: string, kv: CachedKey | null, revision: bigint): void {
    const old = this.slots.get(path);
    if (old && old.revision >= revision) return;
    this.slots.set(path, { kv, revision });
    this.emitChange(path, old?.kv ?? null, kv);
  }

  private emitChange(path: string, before: CachedKey | null, after: CachedKey | null): void {
    const key = this.options.layout.relative(path);
    if (key === null || (before === null && after === null)) return;
    if (before && after && before.value === after.value && before.lease === after.lease && before.modRevision === after.modRevision) return;
    this.options.onEvent({ key, type: after ? 'put' : 'delete' });
  }

  private stopStream(): void {
    this.generation++;
    this.completeTo = -1n;
    const stream = this.stream;
    this.stream = null;
    if (stream) {
      try {
        stream.cancel();
      } catch {
        // already gone
      }
    }
  }

  private scheduleBuild(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retryTimer = this.options.clock.setTimer(delay, () => {
      this.retryTimer = null;
      void this.build();
    });
  }

  private async build(): Promise<void> {
    if (this.closed) return;
    this.stopStream();
    const generation = this.generation;
    const { endpoints, clock, layout } = this.options;
    const controller = new AbortController();
    const deadline = clock.now() + this.options.buildTimeoutMs;
    const timer = clock.setTimer(this.options.buildTimeoutMs, () => controller.abort());
    try {
      const response = await endpoints.call({ signal: controller.signal, deadline }, 'range (watch cache)', (client, options) =>
        client.kv.range({ key: this.prefix, range_end: prefixEnd(this.prefix), serializable: true }, options),
      );
      if (generation !== this.generation || this.closed) return;
      const revision = BigInt(response.header.revision);
      const fresh = new Map<string, Slot>();
      for (const kv of response.kvs) fresh.set(kv.key.toString('utf8'), { kv: toCachedKey(kv), revision: BigInt(kv.mod_revision) });
      // Own writes newer than this read (it may come from a lagging member) stay.
      for (const [path, slot] of this.slots) {
        if (slot.revision > revision && layout.relative(path) !== null) fresh.set(path, slot);
      }
      const old = this.slots;
      this.slots = fresh;
      // The first copy is the starting point, not a change; later ones report what the gap hid.
      if (this.built) {
        for (const path of new Set([...old.keys(), ...fresh.keys()])) this.emitChange(path, old.get(path)?.kv ?? null, fresh.get(path)?.kv ?? null);
      }
      this.built = true;
      this.completeTo = revision;
      await this.openWatch(revision + 1n, generation, { timeoutMs: Math.max(0, deadline - clock.now()), signal: controller.signal });
    } catch (error) {
      if (generation !== this.generation || this.closed) return;
      this.options.logger.debug(`etcd: building the watch cache failed: ${toDcsError(error, endpoints.currentUrl, 'watch', endpoints.hasCredentials).message}`);
      this.scheduleBuild();
    } finally {
      timer.cancel();
    }
  }

  /**
   * Opens the watch from `startRevision` (within `options`); the copy goes live with its
   * `created` answer, which must come within the build's timeout too.
   */
  private async openWatch(startRevision: bigint, generation: number, options: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
    const { client, index, url } = this.options.endpoints.currentClient();
    const fail = (reason: string, error?: unknown): void => {
      if (generation !== this.generation || this.closed) return;
      if (error !== undefined) this.options.endpoints.failed(index, toDcsError(error, url, 'watch', this.options.endpoints.hasCredentials));
      this.invalidate(reason);
    };
    const notCreated = this.options.clock.setTimer(options.timeoutMs, () => {
      if (!this.live) fail('the watch was not created in time');
    });
    const onResponse = (response: WatchResponse): void => {
      if (generation !== this.generation) return;
      if (response.canceled || response.compact_revision !== '0') {
        notCreated.cancel();
        fail(`watch cancelled${response.cancel_reason ? `: ${response.cancel_reason}` : ''} (compacted at ${response.compact_revision})`);
        return;
      }
      if (response.created) {
        notCreated.cancel();
        this.live = true;
        this.backoffMs = FIRST_BACKOFF_MS;
      }
      for (const event of response.events) {
        const path = event.kv.key.toString('utf8');
        const revision = BigInt(event.kv.mod_revision);
        this.apply(path, event.type === 'DELETE' ? null : toCachedKey(event.kv), revision);
      }
      const through = response.header.revision;
      if (response.events.length > 0 && /^\d+$/.test(through)) {
        const revision = BigInt(through);
        if (revision > this.completeTo) this.completeTo = revision;
      }
    };
    let stream: OpenStream;
    try {
      stream = await client.watch({ key: this.prefix, range_end: prefixEnd(this.prefix), start_revision: startRevision.toString() }, options, {
        onResponse,
        onError: (error) => fail('watch stream failed', error),
        onEnd: () => fail('watch stream ended'),
      });
    } catch (error) {
      notCreated.cancel();
      const failure = toDcsError(error, url, 'watch', this.options.endpoints.hasCredentials);
      if (failure.transient) this.options.endpoints.failed(index, failure);
      throw failure;
    }
    if (generation !== this.generation || this.closed) {
      notCreated.cancel();
      stream.cancel();
      return;
    }
    this.stream = stream;
  }
}
