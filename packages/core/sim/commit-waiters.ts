/**
 * Backends waiting for synchronous replication (SyncRepWaitForLSN): a commit is flushed
 * locally, then waits until synchronous_standby_names is satisfied. It ends acknowledged
 * (confirmed by a standby, or released because the setting was emptied) or failed (the
 * server went down, or the client gave up — the row may be durable, but nobody was told).
 */
import type { Lsn } from '../src/postgres/types.js';
import type { GiveUp } from './give-up.js';

export type CommitOutcome =
  /** `confirmedBy`: the standbys whose flush released it (empty when not `sync`). */
  | { readonly kind: 'acked'; readonly sync: boolean; readonly confirmedBy: readonly string[] }
  | { readonly kind: 'failed'; readonly reason: string };

/** For a commit ending at an LSN: the confirming standbys' names; `'released'`: no longer synchronous; `false`: keep waiting. */
export type SyncCheck = (lsn: Lsn) => readonly string[] | false | 'released';

interface Waiter {
  readonly lsn: Lsn;
  readonly settle: (outcome: CommitOutcome) => void;
}

export class CommitWaiters {
  private waiting: Waiter[] = [];

  /**
   * `judge()` gives the check for this instant: the standbys as they are now, looked up
   * once however many commits wait (nothing a waiter's settling does changes them).
   */
  constructor(private readonly judge: () => SyncCheck) {}

  get size(): number {
    return this.waiting.length;
  }

  wait(lsn: Lsn, giveUp: GiveUp | undefined): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve) => {
      let stopListening: (() => void) | undefined;
      const waiter: Waiter = {
        lsn,
        settle: (outcome) => {
          this.waiting = this.waiting.filter((w) => w !== waiter);
          stopListening?.();
          resolve(outcome);
        },
      };
      const onAbort = (): void => waiter.settle({ kind: 'failed', reason: 'client gave up waiting for synchronous replication' });
      if (giveUp?.aborted) return onAbort();
      stopListening = giveUp?.onAbort(onAbort);
      this.waiting.push(waiter);
      this.evaluate(waiter, this.judge());
    });
  }

  /** Something changed (a standby flushed, the setting changed): re-evaluate every waiter. */
  recheck(): void {
    if (this.waiting.length === 0) return;
    const check = this.judge();
    for (const w of [...this.waiting]) this.evaluate(w, check);
  }

  /** synchronous_standby_names became empty: Postgres wakes every waiter as committed. */
  releaseAll(): void {
    for (const w of [...this.waiting]) w.settle({ kind: 'acked', sync: false, confirmedBy: [] });
  }

  failAll(reason: string): void {
    for (const w of [...this.waiting]) w.settle({ kind: 'failed', reason });
  }

  private evaluate(w: Waiter, check: SyncCheck): void {
    const r = check(w.lsn);
    if (r === 'released') w.settle({ kind: 'acked', sync: false, confirmedBy: [] });
    else if (r !== false) w.settle({ kind: 'acked', sync: true, confirmedBy: r });
  }
}
