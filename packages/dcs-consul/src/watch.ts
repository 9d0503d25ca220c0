/**
 * The watch: one blocking query on the cluster prefix (`?recurse&index=&wait=`), which
 * returns when anything under it changes. Changes are diffed against the last answer
 * to tell puts from deletes. Patroni blocks on the leader key alone; watching the
 * prefix also catches `config`, at the cost of waking on status writes too.
 */
import type { Clock, DcsWatchEvent, KeyLayout, Logger } from '@pgwarden/core';
import type { ConsulClient } from './client.js';

const WAIT_SECONDS = 20;
const RETRY_AFTER_FAILURE_MS = 1000;

export class PrefixWatch {
  private readonly listeners = new Set<(event: DcsWatchEvent) => void>();
  private running = false;
  private abort: AbortController | undefined;

  constructor(
    private readonly client: ConsulClient,
    private readonly layout: KeyLayout,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  subscribe(listener: (event: DcsWatchEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.running) void this.loop();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    this.listeners.clear();
    this.running = false;
    this.abort?.abort();
  }

  private async loop(): Promise<void> {
    this.running = true;
    let index = 0;
    let known: Map<string, number> | null = null;
    while (this.running) {
      const abort = new AbortController();
      this.abort = abort;
      try {
        // Consul may answer up to wait/16 late, plus transport time.
        const deadline = this.clock.now() + (WAIT_SECONDS * (1 + 1 / 16) + 2) * 1000;
        const { items, index: next } = await this.client.list(this.layout.prefix, { signal: abort.signal, deadline }, index ? { index, waitSeconds: WAIT_SECONDS } : {});
        const current = new Map<string, number>();
        for (const item of items) {
          const key = this.layout.relative(item.Key);
          if (key) current.set(key, item.ModifyIndex);
        }
        if (known) this.emitDiff(known, current);
        known = current;
        index = next < index ? 0 : next; // an index that went backwards means: start over
      } catch (error) {
        if (!this.running) break;
        this.logger.debug(`consul watch failed, retrying: ${(error as Error).message}`);
        await this.clock.sleep(RETRY_AFTER_FAILURE_MS).catch(() => undefined);
      }
    }
  }

  private emitDiff(before: Map<string, number>, after: Map<string, number>): void {
    const events: DcsWatchEvent[] = [];
    for (const [key, modifyIndex] of after) if (before.get(key) !== modifyIndex) events.push({ key, type: 'put' });
    for (const key of before.keys()) if (!after.has(key)) events.push({ key, type: 'delete' });
    for (const event of events) {
      for (const listener of [...this.listeners]) {
        // One throwing listener must not starve the others, nor end this watch loop.
        try {
          listener(event);
        } catch (error) {
          this.logger.warn(`a consul watch listener threw on ${event.type} ${event.key}: ${(error as Error)?.message ?? String(error)}`);
        }
      }
    }
  }
}
