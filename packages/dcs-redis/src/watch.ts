/**
 * The watch: one subscriber connection per adapter, listening to
 * - the cluster's own channel, where every write script publishes `put <key>` or
 *   `delete <key>` inside the same atomic step as the write (so no change made through
 *   pgwarden is missed or reported before it happened), and
 * - Redis keyspace events for `expired` and `evicted` keys, the changes no script makes:
 *   a leader or member key whose ttl ran out. These need `notify-keyspace-events` to
 *   include `Exe`; the adapter sets that on each connection (see notifications.ts).
 *   Where the server refuses (a managed Redis that blocks CONFIG), the watch polls the
 *   cluster once a second instead: the read script announces every expired key it finds
 *   on the channel.
 *
 * Pub/sub is fire-and-forget: after the subscriber reconnects, listeners get one `put
 * leader` so the HA loop re-reads whatever it may have missed. The subscriber client is
 * made with `autoResubscribe: false`: it subscribes on each `ready` itself.
 */
import type { DcsWatchEvent, KeyLayout, Logger } from '@pgwarden/core';
import type { Redis } from 'ioredis';

/** How often the fallback polls when keyspace events are unavailable. */
const POLL_INTERVAL_MS = 1000;

export interface WatchOptions {
  readonly subscriber: Redis;
  readonly layout: KeyLayout;
  readonly channel: string;
  readonly db: number;
  readonly logger: Logger;
  /** Whether the server currently sends keyspace events for expiries. */
  readonly notificationsOn: () => boolean;
  /** One read of the cluster (its script announces expired keys); errors are ignored. */
  readonly poll: () => Promise<void>;
}

export class ClusterWatch {
  private readonly listeners = new Set<(event: DcsWatchEvent) => void>();
  private started = false;
  private connectedOnce = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly expiredChannel: string;
  private readonly evictedChannel: string;

  constructor(private readonly options: WatchOptions) {
    this.expiredChannel = `__keyevent@${options.db}__:expired`;
    this.evictedChannel = `__keyevent@${options.db}__:evicted`;
  }

  add(listener: (event: DcsWatchEvent) => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.listeners.clear();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.options.subscriber.disconnect();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const { subscriber } = this.options;
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    // Subscribes on every (re)connection, the first included; see the header for the wake-up.
    subscriber.on('ready', () => {
      subscriber
        .subscribe(this.options.channel, this.expiredChannel, this.evictedChannel)
        .then(() => {
          if (this.connectedOnce) this.emit({ key: 'leader', type: 'put' });
          this.connectedOnce = true;
        })
        .catch((error: unknown) => {
          this.options.logger.warn(`redis: could not subscribe to ${this.options.channel} (${(error as Error).message}); retrying on reconnect`);
        });
    });
    subscriber.connect().catch(() => undefined); // it keeps retrying on its own
    this.pollTimer = setInterval(() => this.pollIfNeeded(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.options.channel) {
      const space = message.indexOf(' ');
      const type = message.slice(0, space);
      if (type === 'put' || type === 'delete') this.emit({ key: message.slice(space + 1), type });
      return;
    }
    // Keyspace events carry the full key name; keep ours.
    const key = this.options.layout.relative(message);
    if (key !== null) this.emit({ key, type: 'delete' });
  }

  private pollIfNeeded(): void {
    if (this.polling || this.listeners.size === 0 || this.options.notificationsOn()) return;
    this.polling = true;
    this.options.poll().finally(() => {
      this.polling = false;
    });
  }

  private emit(event: DcsWatchEvent): void {
    for (const listener of [...this.listeners]) {
      // A listener's failure must not stop the others or the watch.
      try {
        listener(event);
      } catch (error) {
        this.options.logger.warn(`redis: a watch listener threw: ${(error as Error).message}`);
      }
    }
  }
}
